"""Reads of the community app, one module per domain (see docs/architecture.md)."""
