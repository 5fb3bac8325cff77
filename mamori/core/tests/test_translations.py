"""The Japanese catalogue is complete, well-formed and compiled.

No database. The .po is parsed here (a few lines; no extra dependency), the .mo is read with
the standard `gettext` module, and `makemessages` is run on a temporary copy of the sources to
show that no marked string is missing from the catalogue.
"""

import gettext
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[2]  # .../mamori
LC_MESSAGES = PACKAGE / "locale" / "ja" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

# Translations that are rightly the same as the English source.
SAME_IN_JAPANESE = {"HMAC", "Web", "SHA-256"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def label(self) -> str:
        return f"{PO.name}:{self.line} {self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def _add(entry: Entry, target: tuple[str, int], value: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + value
    else:
        setattr(entry, name, (getattr(entry, name) or "") + value)


def parse_po(text: str) -> list[Entry]:
    """Entries in file order (the header included, as the entry whose msgid is "").

    gettext tools separate entries by a blank line; obsolete (#~) entries are skipped.
    """
    entries: list[Entry] = []
    entry, target = Entry(), None
    for number, raw in enumerate([*text.splitlines(), ""], start=1):
        line = raw.strip()
        if not line:  # end of an entry
            if entry.line:
                entries.append(entry)
            entry, target = Entry(), None
        elif line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and target is not None:
            _add(entry, target, _unquote(line))
        else:
            keyword, _space, rest = line.partition(" ")
            match = re.fullmatch(r"(msgid|msgid_plural|msgctxt|msgstr)(?:\[(\d+)\])?", keyword)
            assert match, f"{PO.name}:{number}: cannot parse {raw!r}"
            target = (match.group(1), int(match.group(2) or 0))
            if keyword == "msgid":
                entry.line = number
            _add(entry, target, _unquote(rest))
    return entries


def catalogue(path: Path = PO) -> tuple[Entry, list[Entry]]:
    entries = parse_po(path.read_text(encoding="utf-8"))
    header = entries[0]
    assert header.msgid == "" and header.msgctxt is None, "the .po has no header entry"
    return header, entries[1:]


HEADER, ENTRIES = catalogue()

# %(name)s, %(n)d ...; in python-format strings also %s, %d and %%.
NAMED = re.compile(r"%\(\w+\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
TEMPLATE_VARIABLE = re.compile(r"\{\{\s*(.*?)\s*\}\}")


def placeholders(text: str, python_format: bool) -> Counter:
    found = Counter(NAMED.findall(text))
    if python_format:
        found.update(POSITIONAL.findall(NAMED.sub("", text)))
    found.update(f"{{{{ {v} }}}}" for v in TEMPLATE_VARIABLE.findall(text))
    return found


def test_header():
    info = dict(line.split(": ", 1) for line in HEADER.msgstr[0].splitlines() if ": " in line)
    assert info["Language"] == "ja"
    assert "charset=UTF-8" in info["Content-Type"]
    assert info["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "fuzzy" not in HEADER.flags


def test_catalogue_is_not_empty():
    assert len(ENTRIES) > 100


def test_every_entry_is_translated():
    empty = [e.label for e in ENTRIES if not all(e.msgstr.values()) or not e.msgstr]
    assert not empty, "untranslated: " + ", ".join(empty)


def test_no_entry_is_fuzzy():
    fuzzy = [e.label for e in ENTRIES if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy: " + ", ".join(fuzzy)


def test_plural_entries_have_the_one_japanese_form():
    bad = [e.label for e in ENTRIES if e.msgid_plural is not None and sorted(e.msgstr) != [0]]
    assert not bad, "a plural entry needs exactly msgstr[0] (nplurals=1): " + ", ".join(bad)


def test_translations_are_not_the_english_source():
    same = [e.label for e in ENTRIES
            if e.msgstr.get(0) == e.msgid and e.msgid not in SAME_IN_JAPANESE]
    assert not same, "not translated (English kept): " + ", ".join(same)


def test_placeholders_are_kept():
    problems = []
    for entry in ENTRIES:
        python_format = "python-format" in entry.flags
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid_plural]
        for source in sources:
            wanted = placeholders(source, python_format)
            for index, text in entry.msgstr.items():
                got = placeholders(text, python_format)
                if got != wanted:
                    problems.append(f"{entry.label} msgstr[{index}]: {dict(got)} != {dict(wanted)}")
    assert not problems, "\n".join(problems)


def test_python_format_translations_format():
    """Every %-format msgstr accepts the names of its msgid (no stray % in the Japanese)."""
    for entry in ENTRIES:
        if "python-format" not in entry.flags:
            continue
        names = re.findall(r"%\((\w+)\)", entry.msgid_plural or entry.msgid)
        if not names:
            continue
        values = dict.fromkeys(names, 1)
        for text in entry.msgstr.values():
            text % values  # raises on a malformed format


def test_mo_matches_po():
    """The compiled catalogue gives exactly the .po's translations (so it is not stale)."""
    assert MO.is_file(), "compile with `mamori compilemessages`"
    with MO.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    assert mo.info().get("language") == "ja"
    stale = []
    for entry in ENTRIES:
        if entry.msgid_plural is None:
            got = (mo.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt is not None
                   else mo.gettext(entry.msgid))
            if got != entry.msgstr[0]:
                stale.append(entry.label)
        else:
            for n in (0, 1, 2, 11):
                got = (mo.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                       if entry.msgctxt is not None
                       else mo.ngettext(entry.msgid, entry.msgid_plural, n))
                if got != entry.msgstr[0]:
                    stale.append(f"{entry.label} (n={n})")
    assert not stale, "the .mo is out of date; run compilemessages: " + ", ".join(stale)


@pytest.mark.parametrize(("source", "expected"), [
    ("Conformance", "準拠状況"),
    ("My page", "マイページ"),
    ("Change log", "変更履歴"),
    ("Chief Information Security Officer", "最高情報セキュリティ責任者"),
    ("Information manager", "情報管理責任者"),
    ("Dispatched worker", "派遣労働者"),
])
def test_key_strings_in_japanese(source, expected):
    with translation.override("ja"):
        assert translation.gettext(source) == expected


def test_formatted_strings_in_japanese():
    with translation.override("ja"):
        assert translation.gettext("Article %(number)s") % {"number": 3} == "第3条"
        assert "3" in translation.ngettext(
            "%(counter)s record", "%(counter)s records", 3) % {"counter": 3}
    with translation.override("en"):
        assert translation.gettext("Article %(number)s") % {"number": 3} == "Article 3"


@pytest.mark.skipif(not (shutil.which("xgettext") and shutil.which("msgmerge")),
                    reason="GNU gettext tools are not installed")
def test_makemessages_finds_nothing_new(tmp_path, monkeypatch, settings):
    """Run makemessages on a copy of the sources: every marked string is in the catalogue,
    nothing obsolete is left in it, and everything stays translated."""
    copy = tmp_path / "mamori"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns(
        "__pycache__", "static", "*.mo", "*.pyc", ".*"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["ja"], ignore_patterns=[".venv/*", "data/*"],
                 no_obsolete=True, verbosity=0)
    _header, regenerated = catalogue(copy / "locale" / "ja" / "LC_MESSAGES" / "django.po")
    key = lambda e: (e.msgctxt, e.msgid, e.msgid_plural)  # noqa: E731
    before, after = {key(e) for e in ENTRIES}, {key(e) for e in regenerated}
    assert not after - before, f"new strings to translate (run makemessages): {after - before}"
    assert not before - after, f"obsolete strings in the catalogue: {before - after}"
    untranslated = [e.msgid for e in regenerated
                    if "fuzzy" in e.flags or not all(e.msgstr.values())]
    assert not untranslated, untranslated
