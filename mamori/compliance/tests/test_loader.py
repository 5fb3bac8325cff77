"""The legal register shipped with Mamori: its data, loading, reloading, what a reload must
keep, the amendments it raises and the files it refuses."""

import datetime
import io
import json
import re
import shutil

import pytest
from django.core.management import call_command

from mamori.compliance.loader import (
    SOURCE_DIR,
    SUMMARY_MAX,
    TITLE_MAX,
    LegalRegisterDataError,
    load_legal_register,
)
from mamori.compliance.models import (
    Applicability,
    ImpactAssessment,
    LegalSource,
    Obligation,
    SourceKind,
    SourceVersion,
)
from mamori.controls.frameworks import FRAMEWORK_DIR, load_builtin_frameworks
from mamori.controls.models import Control, Requirement, Theme
from mamori.core import changelog
from mamori.core.context import Actor, acting_as
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import log_entries
from mamori.incidents.models import BreachRule
from mamori.policies.models import PolicyDocument, PolicySection

pytestmark = pytest.mark.django_db

SHIPPED = {path.name: json.loads(path.read_text(encoding="utf-8"))
           for path in sorted(SOURCE_DIR.glob("*.json"))}
APPI_REFS = {row["ref"] for row in json.loads(
    (FRAMEWORK_DIR / "appi-guidelines.json").read_text(encoding="utf-8"))["requirements"]}


def load(directory=None):
    with acting_as(Actor(None, "test", "command")):
        return load_legal_register(directory)


@pytest.fixture
def frameworks():
    with acting_as(Actor(None, "test", "command")):
        load_builtin_frameworks()


@pytest.fixture
def breach_rule():
    rule = BreachRule.objects.order_by("pk").first()
    if rule is None:
        with acting_as(Actor(None, "test", "command")):
            rule = BreachRule.objects.create(code="appi-2022", name_ja="漏えい等報告",
                                             effective_from=datetime.date(2022, 4, 1))
    return rule


@pytest.fixture
def data_dir(tmp_path):
    target = tmp_path / "sources"
    shutil.copytree(SOURCE_DIR, target)
    return target


def edit(directory, name, change):
    path = directory / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def obligation_in(data, code):
    return next(row for row in data["obligations"] if row["code"] == code)


def row_counts():
    return (LegalSource.objects.count(), SourceVersion.objects.count(),
            Obligation.objects.count(), ImpactAssessment.objects.count(),
            Obligation.requirements.through.objects.count(),
            Obligation.breach_rules.through.objects.count(), ChangeLogEntry.objects.count())


# The data --------------------------------------------------------------------------------


def test_the_shipped_files_follow_the_format():
    assert len(SHIPPED) >= 10
    codes = [data["code"] for data in SHIPPED.values()]
    assert len(set(codes)) == len(codes)
    obligations = [row for data in SHIPPED.values() for row in data["obligations"]]
    assert 60 <= len(obligations) <= 100
    obligation_codes = [row["code"] for row in obligations]
    assert len(set(obligation_codes)) == len(obligation_codes)
    for name, data in SHIPPED.items():
        text = (SOURCE_DIR / name).read_text(encoding="utf-8")
        # 2-space indentation, non-ASCII unescaped, one file per source named by its code.
        assert text == json.dumps(data, ensure_ascii=False, indent=2) + "\n", name
        assert name == f"{data['code']}.json"
        assert data["kind"] in SourceKind.values
        assert data["title_ja"] and data["title_en"], name
        for version in data["versions"]:
            effective = datetime.date.fromisoformat(version["effective_on"])
            if version.get("promulgated_on"):
                assert datetime.date.fromisoformat(version["promulgated_on"]) <= effective
            for language in ("ja", "en"):
                assert 0 < len(version[f"summary_{language}"]) <= SUMMARY_MAX, version
        for row in data["obligations"]:
            assert re.fullmatch(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+", row["code"]), row["code"]
            assert row["article"], row["code"]
            for language in ("ja", "en"):
                assert 0 < len(row[f"title_{language}"]) <= TITLE_MAX, row["code"]
                assert 0 < len(row[f"summary_{language}"]) <= SUMMARY_MAX, row["code"]
            # One or two sentences.
            assert 1 <= row["summary_ja"].count("。") <= 2, row["code"]
            sentences = re.split(r"(?<=[.!?])\s+", row["summary_en"].strip())
            assert 1 <= len(sentences) <= 2, row["code"]
            assert row["summary_en"].endswith("."), row["code"]
            for uid in row["requirements"]:
                framework, ref = uid.split(":")
                assert framework == "appi-safety-measures" and ref in APPI_REFS, uid
    flagged = [row["code"] for row in obligations if row["breach_rules"]]
    assert flagged == ["APPI-26"]


# Loading ---------------------------------------------------------------------------------


def test_every_shipped_file_loads(frameworks, breach_rule):
    results = load()
    assert [result.source.code for result in results] == [
        data["code"] for data in SHIPPED.values()]
    for result, data in zip(results, SHIPPED.values(), strict=True):
        assert result.source_created and not result.source_updated
        assert result.created == len(data["obligations"])
        assert result.versions_created == len(data["versions"])
        assert (result.updated, result.unchanged, result.versions_updated,
                result.assessments) == (0, 0, 0, 0)
    assert LegalSource.objects.filter(shipped=True).count() == len(SHIPPED)
    assert SourceVersion.objects.count() == sum(len(d["versions"]) for d in SHIPPED.values())
    total = sum(len(d["obligations"]) for d in SHIPPED.values())
    assert Obligation.objects.filter(shipped=True).count() == total
    # Nothing decided for the company; a first load is every source's baseline.
    assert Obligation.objects.filter(applicability=Applicability.UNDECIDED,
                                     department__isnull=True, interval_months=12).count() == total
    assert not ImpactAssessment.objects.exists()

    appi = LegalSource.objects.get(code="appi")
    assert appi.kind == SourceKind.LAW and appi.short_name == "個人情報保護法"
    assert appi.current_version(datetime.date(2023, 1, 1)).effective_on == datetime.date(
        2022, 4, 1)
    security = Obligation.objects.get(code="APPI-23")
    data = obligation_in(SHIPPED["appi.json"], "APPI-23")
    assert security.source == appi and security.article == data["article"]
    assert (security.title_ja, security.title_en) == (data["title_ja"], data["title_en"])
    assert security.summary_ja == data["summary_ja"]
    assert sorted(security.requirements.values_list("uid", flat=True)) == sorted(
        data["requirements"])
    mapped = sum(len(row["requirements"]) for d in SHIPPED.values() for row in d["obligations"])
    assert Obligation.requirements.through.objects.count() == mapped
    assert log_entries(security, "create").get().actor_name == "test"
    assert changelog.verify().ok


def test_the_breach_report_obligation_is_linked_to_every_breach_rule(frameworks, breach_rule):
    load()
    report = Obligation.objects.get(code="APPI-26")
    rules = set(BreachRule.objects.values_list("pk", flat=True))
    assert rules and set(report.breach_rules.values_list("pk", flat=True)) == rules
    assert Obligation.breach_rules.through.objects.exclude(obligation=report).count() == 0

    # A rule added since (a change of the law) is linked by the next load.
    with acting_as(Actor(None, "test", "command")):
        later = BreachRule.objects.create(code="appi-test", name_ja="将来の報告規則",
                                          effective_from=datetime.date(2031, 1, 1))
    [result] = [r for r in load() if r.source.code == "appi"]
    assert result.updated == 1
    assert later in report.breach_rules.all()


def test_requirements_must_be_loaded_first():
    with pytest.raises(LegalRegisterDataError, match="appi-safety-measures:"):
        load()
    assert not LegalSource.objects.exists()


def test_a_second_load_writes_nothing(frameworks, breach_rule):
    load()
    logged = ChangeLogEntry.objects.count()
    counts = row_counts()

    results = load()
    assert ChangeLogEntry.objects.count() == logged
    assert row_counts() == counts
    assert all(result.changes == 0 for result in results)
    assert [result.unchanged for result in results] == [
        len(data["obligations"]) for data in SHIPPED.values()]
    assert [result.versions_unchanged for result in results] == [
        len(data["versions"]) for data in SHIPPED.values()]


def test_a_reload_keeps_the_companys_decisions_and_follows_the_shipped_text(
        org, frameworks, breach_rule, data_dir):
    load(data_dir)
    control = Control.objects.create(code="C-001", title_ja="アクセス権の見直し",
                                     theme=Theme.TECHNOLOGICAL, department=org.it)
    document = PolicyDocument.objects.create(
        code="rules", kind=PolicyDocument.Kind.INTERNAL_RULE, title_ja="個人情報取扱規程",
        owner_department=org.company)
    section = PolicySection.objects.create(document=document, key="art-5", title_ja="第5条")
    own_mapping = Requirement.objects.get(uid="iso27001-2022:5.34")
    obligation = Obligation.objects.get(code="APPI-23")
    obligation.applicability = Applicability.APPLICABLE
    obligation.applicability_reason = "顧客の個人データを扱う"
    obligation.department = org.it
    obligation.interval_months = 6
    obligation.save()
    obligation.controls.add(control)
    obligation.policy_sections.add(section)
    obligation.requirements.add(own_mapping)
    shipped_uids = set(obligation_in(SHIPPED["appi.json"], "APPI-23")["requirements"])

    def retitle(data):
        row = obligation_in(data, "APPI-23")
        row["title_en"] = "Security control measures for personal data"
        row["summary_ja"] = "個人データの漏えい等を防ぐ措置を講じる。"
    edit(data_dir, "appi.json", retitle)
    results = load(data_dir)

    appi = next(result for result in results if result.source.code == "appi")
    assert (appi.created, appi.updated) == (0, 1)
    assert appi.unchanged == len(SHIPPED["appi.json"]["obligations"]) - 1
    assert sum(result.changes for result in results) == 1
    obligation.refresh_from_db()
    assert obligation.title_en == "Security control measures for personal data"
    assert obligation.summary_ja == "個人データの漏えい等を防ぐ措置を講じる。"
    assert obligation.applicability == Applicability.APPLICABLE
    assert obligation.applicability_reason == "顧客の個人データを扱う"
    assert obligation.department == org.it and obligation.interval_months == 6
    assert list(obligation.controls.all()) == [control]
    assert list(obligation.policy_sections.all()) == [section]
    assert set(obligation.requirements.values_list("uid", flat=True)) == shipped_uids | {
        own_mapping.uid}
    # Only the text that changed was written.
    entry = log_entries(obligation, "update").order_by("-seq").first()
    changed = {key for key, value in entry.after.items() if entry.before.get(key) != value}
    assert changed == {"title_en", "summary_ja"}


def test_a_mapping_the_data_adds_is_added_and_none_is_removed(frameworks, data_dir):
    load(data_dir)
    obligation = Obligation.objects.get(code="APPI-25")
    assert not obligation.requirements.exists()

    def map_it(data):
        obligation_in(data, "APPI-25")["requirements"] = ["appi-safety-measures:10-3-1"]
        obligation_in(data, "APPI-23")["requirements"] = []
    edit(data_dir, "appi.json", map_it)
    load(data_dir)
    assert list(obligation.requirements.values_list("uid", flat=True)) == [
        "appi-safety-measures:10-3-1"]
    # Taken out of the data, a mapping stays: the company may rely on it.
    assert Obligation.objects.get(code="APPI-23").requirements.count() == len(
        obligation_in(SHIPPED["appi.json"], "APPI-23")["requirements"])


def test_a_new_version_in_a_reload_raises_impact_assessments(org, frameworks, data_dir):
    load(data_dir)
    assert not ImpactAssessment.objects.exists()
    applies = Obligation.objects.get(code="APPI-23")
    applies.applicability = Applicability.APPLICABLE
    applies.applicability_reason = "顧客の個人データを扱う"
    applies.department = org.it
    applies.save()
    not_applicable = Obligation.objects.get(code="APPI-31")
    not_applicable.applicability = Applicability.NOT_APPLICABLE
    not_applicable.applicability_reason = "個人関連情報を第三者に提供しない"
    not_applicable.save()

    def amend(data):
        data["versions"].append({
            "version": "テスト改正 (2031-04-01 施行)", "effective_on": "2031-04-01",
            "summary_ja": "テスト用の改正。", "summary_en": "An amendment for the test."})
    edit(data_dir, "appi.json", amend)
    results = load(data_dir)

    appi = next(result for result in results if result.source.code == "appi")
    codes = [row["code"] for row in SHIPPED["appi.json"]["obligations"]]
    assert appi.versions_created == 1 and appi.assessments == len(codes) - 1
    assert sum(result.assessments for result in results) == len(codes) - 1
    amendment = SourceVersion.objects.get(version="テスト改正 (2031-04-01 施行)")
    assessments = ImpactAssessment.objects.filter(amendment=amendment)
    assert sorted(assessments.values_list("obligation__code", flat=True)) == sorted(
        code for code in codes if code != "APPI-31")
    assessment = assessments.get(obligation=applies)
    assert assessment.due_on == datetime.date(2031, 4, 1)
    assert assessment.status == ImpactAssessment.Status.OPEN

    logged = ChangeLogEntry.objects.count()
    load(data_dir)  # the amendment is known now: nothing more
    assert ChangeLogEntry.objects.count() == logged


def test_a_source_added_later_raises_no_assessments(frameworks, data_dir, tmp_path):
    later = tmp_path / "later"
    later.mkdir()
    shutil.move(data_dir / "appi-rules.json", later / "appi-rules.json")
    load(data_dir)
    shutil.move(later / "appi-rules.json", data_dir / "appi-rules.json")

    results = load(data_dir)
    rules = next(result for result in results if result.source.code == "appi-rules")
    assert rules.source_created and rules.versions_created == 3
    assert not ImpactAssessment.objects.exists()


def test_a_corrected_version_summary_is_followed_without_assessments(frameworks, data_dir):
    load(data_dir)

    def correct(data):
        data["versions"][-1]["summary_en"] = "Corrected summary."
    edit(data_dir, "appi.json", correct)
    results = load(data_dir)
    appi = next(result for result in results if result.source.code == "appi")
    assert (appi.versions_updated, appi.assessments) == (1, 0)
    assert SourceVersion.objects.filter(summary_en="Corrected summary.").count() == 1
    assert not ImpactAssessment.objects.exists()


# Refused files ---------------------------------------------------------------------------


def unknown_kind(directory):
    edit(directory, "unauthorized-access-act.json", lambda data: data.update(kind="statute"))


def duplicate_code(directory):
    def copy_code(data):
        data["obligations"][1]["code"] = "APPI-23"
    edit(directory, "unauthorized-access-act.json", copy_code)


def unknown_requirement(directory):
    def map_wrong(data):
        data["obligations"][2]["requirements"].append("appi-safety-measures:99-9")
    edit(directory, "unauthorized-access-act.json", map_wrong)


def missing_title(directory):
    def drop_title(data):
        del data["obligations"][0]["title_ja"]
    edit(directory, "unauthorized-access-act.json", drop_title)


def bad_date(directory):
    def date(data):
        data["versions"][1]["effective_on"] = "2012-13-01"
    edit(directory, "unauthorized-access-act.json", date)


def malformed(directory):
    path = directory / "unauthorized-access-act.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"kind": "law",', '"kind": "law"'),
                    encoding="utf-8")


@pytest.mark.parametrize(("spoil", "expected"), [
    (unknown_kind, ["unauthorized-access-act.json", "the source", "unknown kind statute"]),
    (duplicate_code, ["unauthorized-access-act.json", "obligation 2 (APPI-23)",
                      "also used in appi.json"]),
    (unknown_requirement, ["unauthorized-access-act.json", "obligation 3 (UCAA-8)",
                           "appi-safety-measures:99-9"]),
    (missing_title, ["unauthorized-access-act.json", "obligation 1 (UCAA-3)",
                     "title_ja is missing"]),
    (bad_date, ["unauthorized-access-act.json", "version 2", "effective_on",
                "2012-13-01"]),
    (malformed, ["unauthorized-access-act.json cannot be read", "line"]),
])
def test_a_bad_file_is_refused_and_nothing_is_written(frameworks, breach_rule, data_dir,
                                                       english, spoil, expected):
    load(data_dir)

    def retitle(data):
        obligation_in(data, "APPI-17")["title_en"] = "Changed, but never written"
    edit(data_dir, "appi.json", retitle)  # a good change in a file read before the bad one
    spoil(data_dir)
    counts = row_counts()

    with pytest.raises(LegalRegisterDataError) as refused:
        load(data_dir)
    for text in expected:
        assert text in str(refused.value)
    assert row_counts() == counts
    assert Obligation.objects.get(code="APPI-17").title_en != "Changed, but never written"


def test_a_bad_file_is_refused_on_a_first_load(frameworks, data_dir, english):
    unknown_kind(data_dir)
    with pytest.raises(LegalRegisterDataError, match="unknown kind statute"):
        load(data_dir)
    assert not LegalSource.objects.exists() and not Obligation.objects.exists()


# The command -----------------------------------------------------------------------------


def test_the_command_loads_and_then_reports_nothing_to_do(frameworks, english):
    out = io.StringIO()
    call_command("load_legal_register", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(SHIPPED) + 1
    assert "appi: source created with 3 versions and 19 obligations" in lines
    assert lines[-1].endswith("changes saved")
    assert log_entries(LegalSource.objects.get(code="appi"), "create").get().actor_name == (
        "command:load_legal_register")

    out = io.StringIO()
    call_command("load_legal_register", stdout=out)
    lines = out.getvalue().splitlines()
    assert "appi: up to date (19 obligations, 3 versions)" in lines
    assert lines[-1] == "the legal register is up to date; nothing changed"
