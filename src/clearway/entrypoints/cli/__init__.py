"""The ``clearway`` command line."""
