"""Services: one handler per command, the unit of work they run in, and the clearance context."""
