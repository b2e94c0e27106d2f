"""Text helpers without Django."""

import unicodedata


def fold(text: str) -> str:
    """Lower case without diacritics: "Černá" and "cerna" fold to the same text, on every database."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
