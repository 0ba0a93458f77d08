"""The community REST API, one module per domain."""
