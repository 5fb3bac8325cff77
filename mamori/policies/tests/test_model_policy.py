"""Mamori's model policy texts: four documents loaded as drafts, in Japanese and English."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from mamori.core.testing import log_entries
from mamori.policies import workflow
from mamori.policies.markdown import extract_sections, render
from mamori.policies.model_policy import load_model_policies, model_documents
from mamori.policies.models import PolicyDocument, PolicySection, PolicyVersion

BASIC_KEYS = [f"art-{n}" for n in range(1, 13)] + ["web"]


def test_the_model_texts_have_matching_sections_in_both_languages():
    documents = model_documents()
    assert [(d.code, d.kind) for d in documents] == [
        ("basic-policy", "basic_policy"), ("asset-handling-rules", "internal_rule"),
        ("access-control-rules", "internal_rule"), ("incident-reporting-rules", "internal_rule")]
    for document in documents:
        ja = [key for key, _title in extract_sections(document.body_ja)]
        en = [key for key, _title in extract_sections(document.body_en)]
        assert ja == en, document.code
        assert ja[0] == "art-1" and document.title_ja and document.title_en
        assert document.review_interval_months > 0
    basic = documents[0]
    assert [key for key, _t in extract_sections(basic.body_ja)] == BASIC_KEYS
    titles = dict(extract_sections(basic.body_ja))
    assert titles["art-1"].startswith("第1条") and titles["art-12"].startswith("第12条")
    assert dict(extract_sections(basic.body_en))["art-12"].startswith("Article 12")


@pytest.mark.django_db
def test_load_creates_four_drafts_and_is_idempotent(org):
    drafts = load_model_policies(org.company)
    assert len(drafts) == 4
    assert PolicyDocument.objects.count() == 4
    assert {d.kind for d in PolicyDocument.objects.all()} == {"basic_policy", "internal_rule"}
    assert PolicyDocument.objects.filter(kind="internal_rule").count() == 3
    for draft in drafts:
        assert draft.status == PolicyVersion.Status.DRAFT and draft.number == 1
        assert draft.document.owner_department == org.company
        assert draft.body_ja and draft.body_en and draft.body_ja != draft.body_en
        assert "第1条" in draft.body_ja and "Article 1" in draft.body_en
        assert log_entries(draft, "create").count() == 1
    log_count = PolicyVersion.objects.count()
    assert load_model_policies(org.sales) == []  # nothing twice, nothing moved
    assert PolicyVersion.objects.count() == log_count
    assert set(PolicyDocument.objects.values_list("owner_department", flat=True)) == {
        org.company.pk}


@pytest.mark.django_db
def test_publishing_the_basic_policy_creates_its_sections_in_both_languages(org):
    drafts = {d.document.code: d for d in load_model_policies(org.company)}
    basic = drafts["basic-policy"]
    for step in ("submit", "approve", "publish"):
        workflow.STEPS[step].function(org.users["ciso"], basic)
    sections = list(PolicySection.objects.filter(document=basic.document).order_by("position"))
    assert [s.key for s in sections] == BASIC_KEYS
    assert all(s.title_ja and s.title_en for s in sections)
    by_key = {s.key: s for s in sections}
    assert by_key["art-4"].title_ja == "第4条（最高情報セキュリティ責任者）"
    assert by_key["art-4"].title_en == "Article 4 (Chief Information Security Officer)"
    assert by_key["web"].title_en == "Security of web systems"


@pytest.mark.django_db
def test_command_loads_and_reports(org):
    out = io.StringIO()
    call_command("load_model_policies", "D000", stdout=out)
    assert PolicyDocument.objects.count() == 4
    assert len(out.getvalue().strip().splitlines()) == 4
    entry = log_entries(PolicyDocument.objects.get(code="basic-policy"), "create").get()
    assert (entry.actor_name, entry.source) == ("command:load_model_policies", "command")
    again = io.StringIO()
    call_command("load_model_policies", "D000", stdout=again)
    assert PolicyDocument.objects.count() == 4
    assert len(again.getvalue().strip().splitlines()) == 1  # nothing loaded


@pytest.mark.django_db
def test_command_refuses_an_unknown_department(org):
    with pytest.raises(CommandError, match="D999"):
        call_command("load_model_policies", "D999", stdout=io.StringIO())
    assert not PolicyDocument.objects.exists()


@pytest.mark.django_db
def test_the_mamori_console_script_runs_the_command(org, monkeypatch, capsys):
    from django.db import connections

    from mamori import cli

    # run_from_argv closes every connection when done, which would end the test's own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setattr("sys.argv", ["mamori", "load_model_policies", "D000"])
    cli.main()
    assert PolicyDocument.objects.count() == 4
    assert len(capsys.readouterr().out.strip().splitlines()) == 4
    monkeypatch.setattr("sys.argv", ["mamori", "load_model_policies", "NOPE"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "CommandError" in err and "NOPE" in err


def _list_markers_left_in_text(html: str) -> list[str]:
    # A nested item the renderer missed stays as text: "- x" or "1. x" at the start of a
    # line inside a paragraph or list item instead of becoming its own <li>.
    text = re.sub(r"<[^>]+>", "\n", html)
    return [line for line in text.splitlines() if re.match(r"\s*(?:[-*+]|\d+\.)\s", line)]


@pytest.mark.parametrize("model", model_documents(), ids=lambda model: model.code)
def test_every_shipped_document_renders_its_nested_lists_as_lists(model):
    for body in (model.body_ja, model.body_en):
        html = render(body)
        assert _list_markers_left_in_text(html) == []
        if re.search(r"^[ \t]+(?:[-*+]|\d+\.)\s", body, re.M):  # a nested list in the source
            assert re.search(r"<li>(?:(?!</li>).)*<(?:ul|ol)>", html, re.S)


def test_the_asset_handling_rules_nest_the_four_levels_under_their_article():
    model = next(m for m in model_documents() if m.code == "asset-handling-rules")
    html = render(model.body_ja)
    assert re.search(r"次の4区分のいずれかに分類する。\s*<ul>\s*<li><strong>極秘</strong>", html)
