"""JSON adapter under /api/v1: thin handlers over the domain services."""
