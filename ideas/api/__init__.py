"""The ideas REST API, one module per domain."""
