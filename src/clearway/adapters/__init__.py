"""Adapters: the SQL store, migrations, reference-data loaders and security primitives."""
