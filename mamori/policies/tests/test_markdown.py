"""Policy text: Markdown rendered without active content, section keys, and version diffs."""

import pytest
from django.urls import reverse

from mamori.policies import workflow
from mamori.policies.markdown import diff_lines, extract_sections, render
from mamori.policies.tests.conftest import BODY_EN, BODY_JA, make_draft, release

HOSTILE = """## 第1条 <img src=x onerror=alert(1)> {#art-1}

Text <script>alert("x")</script> more.

<img src="x.png" onerror="alert(2)">

<div onclick="alert(3)">clickable</div>

[bad](javascript:alert(4)) [also bad](JAVASCRIPT:alert(5)) [data](data:text/html,hi)

<a href="javascript:alert(6)">raw link</a>

<iframe src="https://evil.example"></iframe><style>body{}</style>
"""


def test_render_removes_active_content():
    html = render(HOSTILE)
    lowered = html.lower()
    for needle in ("<script", "alert", "onerror", "onclick", "javascript:", "data:", "<img",
                   "<iframe", "<style", "<div"):
        assert needle not in lowered, needle
    assert '<h2 id="art-1">' in html
    assert "clickable" in html and "raw link" in html  # the text itself stays


def test_render_keeps_structure():
    html = render("## 第3条（管理体制） {#art-3}\n\n本文。\n\n### 細則 {#art-3-1}\n\n"
                  "| 区分 | 例 |\n|---|---|\n| 極秘 | 個人情報 |\n\n"
                  "- 一\n- 二\n\n1. first\n2. second\n\n"
                  "**強調** and *em* and `code`\n\n> quote\n\n[規程](https://example.com/x)\n")
    assert '<h2 id="art-3">第3条（管理体制）</h2>' in html
    assert '<h3 id="art-3-1">細則</h3>' in html
    assert "<table>" in html and "<th>区分</th>" in html and "<td>個人情報</td>" in html
    assert "<ul>" in html and "<li>一</li>" in html and "<ol>" in html
    assert "<strong>強調</strong>" in html and "<em>em</em>" in html and "<code>code</code>" in html
    assert "<blockquote>" in html
    assert 'href="https://example.com/x"' in html and 'rel="noopener noreferrer"' in html
    assert "{#" not in html and "§§" not in html


def test_render_of_nothing():
    assert render("") == "" and render(None) == ""


def test_a_heading_without_a_key_has_no_id():
    html = render("## Plain heading\n\n# Title {#top}\n")
    assert "<h2>Plain heading</h2>" in html
    assert "id=" not in html  # only ## and ### headings take a key


def test_extract_sections():
    assert extract_sections(BODY_JA) == [("art-1", "第1条（目的）"), ("art-2", "第2条（範囲）")]
    assert extract_sections(BODY_EN) == [("art-1", "Article 1 (Purpose)"),
                                         ("art-2", "Article 2 (Scope)")]
    text = "# Title {#top}\n## A {#a}\n### B {#b-1}\n#### C {#c}\n## Bad {#Upper}\n## D {#d}  \n"
    assert extract_sections(text) == [("a", "A"), ("b-1", "B"), ("d", "D")]
    assert extract_sections("") == [] and extract_sections(None) == []


def test_diff_lines():
    old = "第1条\n旧い文\n共通\n"
    new = "第1条\n新しい文\n共通\n追加\n"
    assert diff_lines(old, new) == [("same", "第1条"), ("removed", "旧い文"),
                                    ("added", "新しい文"), ("same", "共通"), ("added", "追加")]
    assert diff_lines("", "a") == [("added", "a")]
    assert diff_lines(None, None) == []


@pytest.mark.django_db
def test_the_diff_page_shows_added_and_removed_lines(org, published):
    document, first = published
    second = workflow.new_draft(org.users["manager"], document, is_material=True)
    second.body_ja = first.body_ja.replace("全従業者に適用する。", "役員及び従業者に適用する。")
    second.body_en = first.body_en + "\n<script>alert(1)</script>\n"
    second.save()
    url = reverse("policies:policyversion_diff", args=[second.pk])
    response = org.client("manager").get(url)
    assert response.status_code == 200
    assert ("removed", "全従業者に適用する。") in response.context["diff_ja"]
    assert ("added", "役員及び従業者に適用する。") in response.context["diff_ja"]
    content = response.content.decode()
    assert 'class="mamori-diff-removed">− 全従業者に適用する。' in content
    assert 'class="mamori-diff-added">+ 役員及び従業者に適用する。' in content
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    # Staff see neither the draft nor its diff; the first version has nothing to compare.
    assert org.client("staff").get(url).status_code == 404
    first_url = reverse("policies:policyversion_diff", args=[first.pk])
    assert org.client("manager").get(first_url).status_code == 404
    release(second, org.users["ciso"])
    assert org.client("staff").get(url).status_code == 200


@pytest.mark.django_db
def test_the_version_page_renders_the_text_in_either_language(org, published):
    _document, version = published
    client = org.client("staff")
    url = version.get_absolute_url()
    assert '<h2 id="art-1">第1条（目的）</h2>' in str(client.get(url + "?text=ja").context["html"])
    assert '<h2 id="art-1">Article 1 (Purpose)</h2>' in str(
        client.get(url + "?text=en").context["html"])
    make_draft(version.document)  # a draft of the same document stays hidden from staff
    assert client.get(url).status_code == 200
