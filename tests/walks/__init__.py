"""Walks over every operation of every door: hostile input, existence, credentials (doors.py: the extension point)."""
