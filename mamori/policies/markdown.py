"""Policy text: Markdown rendered safely, sections found by their `{#key}` headings, and a
readable comparison of two versions."""

import difflib
import re

import markdown as md
import nh3
from django.utils.safestring import mark_safe

# "## 第3条（管理体制） {#art-3}" → key "art-3", title "第3条（管理体制）"
SECTION_HEADING = re.compile(
    r"^(?P<hashes>#{2,3})\s+(?P<title>.+?)\s*\{#(?P<key>[a-z0-9][a-z0-9-]*)\}\s*$", re.M)
ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "blockquote",
                "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "hr", "br", "a"}
ALLOWED_ATTRIBUTES = {"h2": {"id"}, "h3": {"id"}, "a": {"href", "title"}}


def extract_sections(text: str) -> list[tuple[str, str]]:
    return [(m["key"], m["title"]) for m in SECTION_HEADING.finditer(text or "")]


def _anchor_headings(text: str) -> str:
    # Turn the {#key} suffix into an HTML id the sanitiser keeps, without Markdown extensions.
    return SECTION_HEADING.sub(lambda m: f"{m['hashes']} {m['title']} §§{m['key']}§§", text)


def render(text: str) -> str:
    """Markdown to sanitised HTML: raw HTML in the source is escaped, links keep only safe
    schemes, and section headings get their key as id."""
    source = _anchor_headings(text or "")
    html = md.markdown(source, extensions=["tables", "sane_lists"], output_format="html")
    html = re.sub(r"<(h[23])>(.*?) §§([a-z0-9-]+)§§</\1>", r'<\1 id="\3">\2</\1>', html)
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"https", "http", "mailto"}, link_rel="noopener noreferrer")
    return mark_safe(clean)  # noqa: S308  (sanitised by nh3 just above)


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """Line-by-line comparison: ("same"|"added"|"removed", line)."""
    rows = []
    for line in difflib.ndiff((old or "").splitlines(), (new or "").splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "  ":
            rows.append(("same", text))
        elif tag == "+ ":
            rows.append(("added", text))
        elif tag == "- ":
            rows.append(("removed", text))
    return rows
