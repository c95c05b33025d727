"""Writes of the reviews app, one module per concern (see STYLE.md)."""
