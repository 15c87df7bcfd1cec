"""Entrypoints: the HTTP API, the CLI, and the wire format they both parse."""
