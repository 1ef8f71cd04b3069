"""The REST API door: JSON under /api/v1/, each view calling one service."""
