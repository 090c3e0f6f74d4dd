"""Marking service messages for translation: services stay free of Flask, views translate."""


def N_(message: str) -> str:
    """Marks a message for extraction into the catalog; it is translated where it is shown."""
    return message
