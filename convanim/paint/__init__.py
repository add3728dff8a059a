"""Painters turn a display list into pictures."""
