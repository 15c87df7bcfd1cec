"""WCO DEC-DMS and UN/EDIFACT messages: reading declarations and writing notifications."""
