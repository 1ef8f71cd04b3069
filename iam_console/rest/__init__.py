"""The REST API door: JSON under /api/v1/, one module per concept, the shared glue in base.py."""
