"""Text helpers shared by every app."""

import unicodedata

# "đ" is a letter of its own, not "d" with a mark, so NFD leaves it alone.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def _fold_slow(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def _latin_letters_folded() -> dict[int, str]:
    """Each precomposed Latin letter (Vietnamese's 134 among them) and its letter without
    marks: one `str.translate` folds a name with no Python step per character."""
    table = {}
    for block in (range(0xC0, 0x250), range(0x1E00, 0x1F00)):
        for code in block:
            folded = _fold_slow(chr(code))
            if folded.isascii() and len(folded) == 1 and folded != chr(code).lower():
                table[code] = folded
    return table


_FOLD_LATIN = str.maketrans(_latin_letters_folded())


def fold(text: str) -> str:
    """Lower-case, without diacritics, spaces collapsed: 'Nguyễn  Văn Đức' -> 'nguyen van duc'."""
    quick = text.translate(_FOLD_LATIN)
    if quick.isascii():  # names and headers in precomposed Vietnamese, the usual case
        return " ".join(quick.lower().split())
    return _fold_slow(text)


def tidy_name(text: str) -> str:
    """A person's name as stored: NFC, single spaces, each word capitalised."""
    words = unicodedata.normalize("NFC", text).split()
    return " ".join([w[:1].upper() + w[1:].lower() for w in words])


def compact_code(text: str) -> str:
    """A code as stored (document, card, lot numbers): no spaces, upper case."""
    return "".join(text.split()).upper()
