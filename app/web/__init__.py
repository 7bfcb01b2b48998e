"""HTML adapter: Jinja pages that call the domain services."""
