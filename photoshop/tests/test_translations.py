"""Every page text has a finished Dutch and French translation (a fuzzy guess is not one)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
FIELD = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')


def _entries(path: Path):
    """Yield (msgid, fuzzy, translations) for each entry of a .po file, the header and obsolete ones left out."""
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        fuzzy = False
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif match := FIELD.match(line):
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            yield fields["msgid"], fuzzy, [v for k, v in fields.items() if k.startswith("msgstr")]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_catalogue_is_complete(language):
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    fuzzy = [msgid for msgid, is_fuzzy, _ in _entries(path) if is_fuzzy]
    missing = [msgid for msgid, _, strings in _entries(path) if not all(strings)]
    assert not fuzzy, f"fuzzy (unchecked guesses) in {language}: {fuzzy}"
    assert not missing, f"untranslated in {language}: {missing}"
