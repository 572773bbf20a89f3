"""The Vietnamese catalogue is complete: every string a person reads has its translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def extracted_catalogue(tmp_path_factory) -> polib.POFile:
    """The catalogue as makemessages would write it now, made in a copy of the sources."""
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext (xgettext) is needed to extract messages: apt-get install gettext")
    copy = tmp_path_factory.mktemp("i18n")
    shutil.copytree(
        ROOT / "sosuckhoe", copy / "sosuckhoe", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "locale", copy / "locale")
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-location", "--no-obsolete"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return polib.pofile(str(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po"))


def test_every_message_has_a_vietnamese_translation(extracted_catalogue):
    missing = [e.msgid for e in extracted_catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in extracted_catalogue.fuzzy_entries() if e.msgid]
    assert (missing, fuzzy) == ([], [])


def test_translations_keep_their_placeholders():
    import re

    placeholder = re.compile(r"%\(\w+\)s")
    catalogue = polib.pofile(str(ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    for entry in catalogue.translated_entries():
        # Vietnamese has one plural form: it says what the singular and the plural say.
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            assert sorted(placeholder.findall(entry.msgid)) == sorted(placeholder.findall(text)), (
                entry.msgid
            )
