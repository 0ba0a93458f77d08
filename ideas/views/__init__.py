"""The ideas pages and fragments, one module per domain."""
