"""Text helpers shared by every app."""

import unicodedata

# "đ" is a letter of its own, not "d" with a mark, so NFD leaves it alone.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case, without diacritics, spaces collapsed: 'Nguyễn  Văn Đức' -> 'nguyen van duc'."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def tidy_name(text: str) -> str:
    """A person's name as stored: NFC, single spaces, each word capitalised."""
    words = unicodedata.normalize("NFC", text).split()
    return " ".join(w[:1].upper() + w[1:].lower() for w in words)


def compact_code(text: str) -> str:
    """A code as stored (document, card, lot numbers): no spaces, upper case."""
    return "".join(text.split()).upper()
