"""Reads of the ideas app, one module per domain (see docs/architecture.md)."""
