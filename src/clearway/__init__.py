"""Clearway: automated customs clearance.

Declarations are lodged, validated, valued, taxed, screened and risk-scored in one pipeline;
every state change is an event kept in a transactional outbox.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
