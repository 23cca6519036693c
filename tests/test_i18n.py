"""The Japanese catalogue is complete, and the committed .mo matches the .po."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "ja" / "LC_MESSAGES"


def test_every_message_is_translated():
    po = polib.pofile(str(LOCALE / "django.po"))
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert missing == []
    assert not [e.msgid for e in po if "fuzzy" in e.flags]


def test_compiled_catalogue_matches_the_source():
    po = {e.msgid: e.msgstr or e.msgstr_plural.get(0, "")
          for e in polib.pofile(str(LOCALE / "django.po")) if e.translated()}
    mo = {e.msgid: e.msgstr or e.msgstr_plural.get(0, "")
          for e in polib.mofile(str(LOCALE / "django.mo")) if e.msgid}
    assert mo == po
