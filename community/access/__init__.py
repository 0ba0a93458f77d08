"""Permission-checked fetches of the community app, one module per domain: each returns the
object or raises Http404 (not visible) / PermissionDenied (visible, not allowed)."""
