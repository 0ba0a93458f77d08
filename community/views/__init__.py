"""The community pages and fragments, one module per domain."""
