"""APPI breach reporting: which breaches must be reported to the PPC, on which grounds of the
enforcement rules Art 7, and by when (calendar days in Japan, the day of awareness being day 1),
with the law's numbers taken from the effective-dated `BreachRule` rows."""

import dataclasses
import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.incidents import breach
from mamori.incidents.models import BreachAssessment, BreachRule, Incident

UTC = datetime.UTC
TOKYO = ZoneInfo("Asia/Tokyo")
JST = datetime.timedelta(hours=9)  # Japan has kept UTC+9, without summer time, since 1952
DAY = datetime.timedelta(days=1)
RULE = breach.Rule()  # the numbers of the law as amended: 3/5 days, 30/60 days, 1,000 persons

moments_utc = st.datetimes(min_value=datetime.datetime(2000, 1, 1),
                           max_value=datetime.datetime(2099, 12, 31),
                           timezones=st.just(UTC))
tokyo_days = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2099, 12, 31))
times_of_day = st.times()


def tokyo_date_of(moment: datetime.datetime) -> datetime.date:
    """The date in Tokyo, worked out without a time-zone database: UTC plus nine hours."""
    return (moment.astimezone(UTC).replace(tzinfo=None) + JST).date()


def reportable_answers(**extra) -> breach.Answers:
    return breach.Answers(**{"personal_data": True, "sensitive": True, **extra})


# --- the date of awareness is the date in Tokyo ---------------------------------------------


@given(moments_utc)
def test_awareness_date_is_the_tokyo_date_of_any_utc_moment(moment):
    assert breach.awareness_date(moment) == tokyo_date_of(moment)


@given(moments_utc, st.sampled_from(["UTC", "America/Los_Angeles", "Europe/London",
                                     "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago"]))
def test_the_zone_the_moment_is_written_in_does_not_matter(moment, zone):
    assert breach.awareness_date(moment.astimezone(ZoneInfo(zone))) == tokyo_date_of(moment)


@given(tokyo_days, times_of_day)
def test_any_hour_of_a_tokyo_day_is_that_day(day, time):
    moment = datetime.datetime.combine(day, time, tzinfo=TOKYO).astimezone(UTC)
    assert breach.awareness_date(moment) == day
    outcome = breach.assess(reportable_answers(), moment, RULE)
    assert outcome.final_due == day + 29 * DAY


def test_half_past_midnight_in_tokyo_is_still_the_previous_day_in_utc():
    moment = datetime.datetime(2026, 3, 31, 15, 30, tzinfo=UTC)
    assert breach.awareness_date(moment) == datetime.date(2026, 4, 1)
    outcome = breach.assess(reportable_answers(), moment, RULE)
    # "within 30 days" of awareness on 1 April: 30 April, as the PPC guideline counts
    assert outcome.final_due == datetime.date(2026, 4, 30)
    assert outcome.preliminary_target == datetime.date(2026, 4, 3)
    assert outcome.preliminary_due == datetime.date(2026, 4, 5)
    just_before = datetime.datetime(2026, 3, 31, 14, 59, 59, tzinfo=UTC)  # 23:59:59 in Tokyo
    assert breach.assess(reportable_answers(), just_before, RULE).final_due == \
        datetime.date(2026, 4, 29)


@given(st.datetimes(min_value=datetime.datetime(2000, 1, 1),
                    max_value=datetime.datetime(2099, 12, 31)))
def test_a_moment_without_a_time_zone_is_refused(naive):
    with pytest.raises(ValueError, match="time zone"):
        breach.awareness_date(naive)
    with pytest.raises(ValueError, match="time zone"):
        breach.assess(reportable_answers(), naive, RULE)


# --- calendar days, day 1 = the day of awareness ------------------------------------------


@given(tokyo_days, st.integers(min_value=1, max_value=400))
def test_day_number_counts_the_day_of_awareness_as_day_one(day, days):
    assert breach.day_number(day, days, RULE) == day + (days - 1) * DAY
    assert breach.day_number(day, 1, RULE) == day
    later = breach.Rule(awareness_day_is_day_one=False)
    assert breach.day_number(day, days, later) == day + days * DAY


@given(moments_utc)
def test_deadlines_of_a_reportable_breach(moment):
    aware_on = tokyo_date_of(moment)
    outcome = breach.assess(reportable_answers(), moment, RULE)
    assert outcome.reportable and not outcome.exempt
    assert outcome.preliminary_target == aware_on + 2 * DAY  # day 3: the target
    assert outcome.preliminary_due == aware_on + 4 * DAY  # day 5: late after this
    assert outcome.final_due == aware_on + 29 * DAY  # day 30
    wrongful = breach.assess(reportable_answers(wrongful_purpose=True), moment, RULE)
    assert wrongful.final_due == aware_on + 59 * DAY  # day 60 on ground 3
    assert wrongful.preliminary_due == outcome.preliminary_due


@given(moments_utc,
       st.integers(min_value=1, max_value=10), st.integers(min_value=0, max_value=10),
       st.integers(min_value=1, max_value=90), st.integers(min_value=1, max_value=120),
       st.booleans())
def test_deadlines_follow_the_rule(moment, target, extra, final, final_wrongful, day_one):
    rule = breach.Rule(preliminary_target_days=target, preliminary_due_days=target + extra,
                       final_days=final, final_days_wrongful=final_wrongful,
                       awareness_day_is_day_one=day_one)
    aware_on = tokyo_date_of(moment)
    shift = 1 if day_one else 0
    plain = breach.assess(reportable_answers(), moment, rule)
    assert plain.preliminary_target == aware_on + (target - shift) * DAY
    assert plain.preliminary_due == aware_on + (target + extra - shift) * DAY
    assert plain.final_due == aware_on + (final - shift) * DAY
    wrongful = breach.assess(reportable_answers(wrongful_purpose=True), moment, rule)
    assert wrongful.final_due == aware_on + (final_wrongful - shift) * DAY


@pytest.mark.parametrize(("aware", "preliminary", "warning", "final"), [
    # Friday 3 April 2026: the target falls on Sunday, nothing moves to Monday
    ("2026-04-03T10:00+09:00", "2026-04-05", "2026-04-07", "2026-05-02"),
    # Shōwa Day (29 April) in Golden Week: the limit is Constitution Day, a Sunday
    ("2026-04-29T09:00+09:00", "2026-05-01", "2026-05-03", "2026-05-28"),
    # New Year's Eve at 23:59 in Tokyo: the year-end holidays count too
    ("2026-12-31T23:59+09:00", "2027-01-02", "2027-01-04", "2027-01-29"),
])
def test_weekends_and_holidays_are_not_skipped(aware, preliminary, warning, final):
    outcome = breach.assess(reportable_answers(), datetime.datetime.fromisoformat(aware), RULE)
    assert (outcome.preliminary_target, outcome.preliminary_due, outcome.final_due) == tuple(
        datetime.date.fromisoformat(d) for d in (preliminary, warning, final))


# --- the grounds -----------------------------------------------------------------------------

answers = st.builds(
    breach.Answers, personal_data=st.booleans(), sensitive=st.booleans(),
    financial_damage=st.booleans(), wrongful_purpose=st.booleans(),
    being_acquired=st.booleans(),
    persons_affected=st.none() | st.integers(min_value=0, max_value=100_000)
    | st.integers(min_value=995, max_value=1005),
    held_data_also_affected=st.booleans(), encrypted=st.booleans())


@given(answers, st.booleans(), moments_utc)
def test_grounds_and_reportability(given_answers, acquisition_counts, moment):
    rule = breach.Rule(acquisition_counts_as_wrongful=acquisition_counts)
    a = given_answers
    outcome = breach.assess(a, moment, rule)
    if not a.personal_data:
        assert not outcome.reportable and outcome.grounds == () and not outcome.exempt
        return
    # Items 1, 2 and 4 speak of personal data held; only item 3 reaches information being
    # acquired (from the 2024 amendment), unless held data was affected as well.
    held = not a.being_acquired or a.held_data_also_affected
    expected = []
    if held and a.sensitive:
        expected.append(1)
    if held and a.financial_damage:
        expected.append(2)
    if a.wrongful_purpose and (acquisition_counts or held):
        expected.append(3)
    if held and a.persons_affected is not None and a.persons_affected > 1000:
        expected.append(4)
    # Advanced encryption takes away every ground; what would have applied is kept apart.
    assert list(outcome.grounds) == ([] if a.encrypted else expected)
    assert list(outcome.grounds_if_unencrypted) == (expected if a.encrypted else [])
    assert outcome.reportable == (bool(expected) and not a.encrypted)
    assert outcome.exempt == (bool(expected) and a.encrypted)
    if outcome.reportable:
        final = 59 if 3 in expected else 29
        assert outcome.final_due == tokyo_date_of(moment) + final * DAY
    else:
        assert outcome.preliminary_target is outcome.preliminary_due is outcome.final_due is None


@pytest.mark.parametrize(("persons", "reportable"), [
    (None, False), (0, False), (999, False), (1000, False), (1001, True), (250_000, True)])
def test_more_than_a_thousand_persons_not_a_thousand(persons, reportable):
    moment = datetime.datetime(2026, 6, 1, 9, tzinfo=TOKYO)
    outcome = breach.assess(breach.Answers(personal_data=True, persons_affected=persons),
                            moment, RULE)
    assert outcome.reportable is reportable
    assert outcome.grounds == ((breach.MANY_PERSONS,) if reportable else ())


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_the_person_threshold_comes_from_the_rule(threshold, persons):
    outcome = breach.assess(breach.Answers(personal_data=True, persons_affected=persons),
                            datetime.datetime(2026, 6, 1, tzinfo=UTC),
                            breach.Rule(person_threshold=threshold))
    assert outcome.reportable == (persons > threshold)


@pytest.mark.parametrize("ground", ["sensitive", "financial_damage", "wrongful_purpose"])
def test_each_ground_alone_is_reportable_and_encryption_exempts_it(ground):
    moment = datetime.datetime(2026, 6, 1, 9, tzinfo=TOKYO)
    alone = breach.assess(breach.Answers(personal_data=True, **{ground: True}), moment, RULE)
    number = {"sensitive": 1, "financial_damage": 2, "wrongful_purpose": 3}[ground]
    assert alone.reportable and alone.grounds == (number,)
    encrypted = breach.assess(breach.Answers(personal_data=True, encrypted=True,
                                             **{ground: True}), moment, RULE)
    assert not encrypted.reportable and encrypted.exempt and encrypted.grounds == ()
    assert encrypted.grounds_if_unencrypted == (number,)
    assert encrypted.final_due is None
    without_personal_data = breach.assess(breach.Answers(**{ground: True}), moment, RULE)
    assert not without_personal_data.reportable and not without_personal_data.grounds


def test_web_skimming_counts_only_where_the_rule_says_so():
    skimming = breach.Answers(personal_data=True, wrongful_purpose=True, being_acquired=True,
                              persons_affected=20)
    moment = datetime.datetime(2026, 6, 1, 9, tzinfo=TOKYO)
    counted = breach.assess(skimming, moment, breach.Rule(acquisition_counts_as_wrongful=True))
    assert counted.reportable and counted.grounds == (breach.WRONGFUL,)
    assert counted.final_due == datetime.date(2026, 7, 30)  # 60 days, day 1 = 1 June
    before = breach.assess(skimming, moment, breach.Rule(acquisition_counts_as_wrongful=False))
    assert not before.reportable and before.grounds == ()
    assert "acquisition-not-covered" in before.notes


# --- information being acquired counts for item 3 only (issue 13, item 3) ---------------------

SKIMMING = {"personal_data": True, "wrongful_purpose": True, "being_acquired": True,
            "financial_damage": True, "persons_affected": 5000}


@pytest.mark.parametrize(("acquisition_counts", "held_too", "grounds"), [
    # From April 2024: item 3 alone, however many card numbers were typed into the form.
    (True, False, (3,)),
    # Before: information being acquired was outside every item.
    (False, False, ()),
    # Personal data already held was affected too: every item applies to it.
    (True, True, (2, 3, 4)),
    (False, True, (2, 3, 4)),
])
def test_web_skimming_is_item_3_alone_unless_held_data_was_affected(acquisition_counts,
                                                                    held_too, grounds):
    answers = breach.Answers(**SKIMMING, sensitive=True, held_data_also_affected=held_too)
    outcome = breach.assess(answers, datetime.datetime(2026, 6, 1, 9, tzinfo=TOKYO),
                            breach.Rule(acquisition_counts_as_wrongful=acquisition_counts))
    expected = (1, *grounds) if held_too else grounds
    assert outcome.grounds == expected
    assert outcome.reportable == bool(expected)


@given(answers, st.booleans(), moments_utc)
def test_encryption_takes_away_every_ground_and_every_report(given_answers, counts, moment):
    """Issue 13, item 4: exempt means no ground and no due date, whatever else applies."""
    rule = breach.Rule(acquisition_counts_as_wrongful=counts)
    plain = breach.assess(dataclasses.replace(given_answers, encrypted=False), moment, rule)
    encrypted = breach.assess(dataclasses.replace(given_answers, encrypted=True), moment, rule)
    assert encrypted.grounds == () and not encrypted.reportable
    assert encrypted.grounds_if_unencrypted == plain.grounds
    assert encrypted.exempt == bool(plain.grounds)
    assert encrypted.preliminary_target is encrypted.preliminary_due is None
    assert encrypted.final_due is None


@pytest.mark.django_db
@pytest.mark.parametrize(("moment", "rule"), [
    (datetime.datetime(2023, 6, 1, 10, tzinfo=TOKYO), "appi-2022"),
    (datetime.datetime(2026, 6, 1, 10, tzinfo=TOKYO), "appi-2024"),
])
def test_a_skimmed_card_form_is_graded_as_the_law_reads(org, moment, rule):
    assessment = assess_incident(org, moment, **{k: v for k, v in SKIMMING.items()
                                                 if k != "personal_data"})
    assert assessment.rule.code == rule
    if rule == "appi-2022":  # not reportable at all before the 2024 amendment
        assert not assessment.reportable and assessment.grounds_list == []
    else:
        assert assessment.reportable and assessment.grounds_list == [3]
        assert assessment.final_due == datetime.date(2026, 7, 30)  # 60 days for item 3
    held = assess_incident(org, moment, held_data_also_affected=True,
                           **{k: v for k, v in SKIMMING.items() if k != "personal_data"})
    assert held.reportable and held.grounds_list == [2, 3, 4]


@pytest.mark.django_db
def test_held_data_is_asked_only_about_information_being_acquired(org, english):
    from django.core.exceptions import ValidationError

    incident = incident_aware(org, datetime.datetime(2026, 6, 1, 10, tzinfo=TOKYO))
    assessment = BreachAssessment(incident=incident, personal_data=True, sensitive=True,
                                  held_data_also_affected=True)
    with pytest.raises(ValidationError) as caught:
        assessment.full_clean()
    assert caught.value.message_dict["held_data_also_affected"] == [
        "Answer this only when the information was being acquired."]


# --- the rules are data, in force from a date ------------------------------------------------


def incident_aware(org, moment: datetime.datetime) -> Incident:
    return Incident.objects.create(title="Web フォーム改ざん", department=org.sales,
                                   noticed_at=moment, aware_at=moment)


def assess_incident(org, moment, **answers) -> BreachAssessment:
    assessment = BreachAssessment(incident=incident_aware(org, moment), personal_data=True,
                                  **answers)
    assessment.full_clean()
    assessment.save()
    return assessment


@pytest.mark.django_db
def test_the_seeded_rules_are_the_2022_and_2024_amendments():
    rules = {r.code: r for r in BreachRule.objects.all()}
    assert set(rules) == {"appi-2022", "appi-2024"}
    assert rules["appi-2022"].effective_from == datetime.date(2022, 4, 1)
    assert rules["appi-2024"].effective_from == datetime.date(2024, 4, 1)
    assert not rules["appi-2022"].acquisition_counts_as_wrongful
    assert rules["appi-2024"].acquisition_counts_as_wrongful
    for rule in rules.values():
        assert (rule.preliminary_target_days, rule.preliminary_due_days, rule.final_days,
                rule.final_days_wrongful, rule.person_threshold) == (3, 5, 30, 60, 1000)
        assert rule.awareness_day_is_day_one


@pytest.mark.django_db
@pytest.mark.parametrize(("moment", "rule", "reportable"), [
    # 23:59 on 31 March 2024 in Tokyo: the 2022 rule; web skimming alone is not reportable
    (datetime.datetime(2024, 3, 31, 14, 59, tzinfo=UTC), "appi-2022", False),
    # midnight on 1 April 2024 in Tokyo (still 31 March in UTC): the 2024 amendment
    (datetime.datetime(2024, 3, 31, 15, 0, tzinfo=UTC), "appi-2024", True),
    (datetime.datetime(2023, 1, 10, 3, 0, tzinfo=UTC), "appi-2022", False),
    (datetime.datetime(2026, 5, 1, 3, 0, tzinfo=UTC), "appi-2024", True),
])
def test_web_skimming_under_the_rule_in_force_on_the_tokyo_date(org, moment, rule, reportable):
    assessment = assess_incident(org, moment, wrongful_purpose=True, being_acquired=True,
                                 persons_affected=40)
    assert assessment.rule.code == rule
    assert assessment.reportable is reportable
    if reportable:
        assert assessment.grounds_list == [3]
        assert assessment.final_due == tokyo_date_of(moment) + 59 * DAY
    else:
        assert assessment.grounds == "" and assessment.final_due is None
        assert "acquisition-not-covered" in assessment.outcome().notes


@pytest.mark.django_db
def test_insider_theft_before_2024_was_reportable_already(org):
    moment = datetime.datetime(2023, 6, 1, 10, tzinfo=TOKYO)
    assessment = assess_incident(org, moment, wrongful_purpose=True, persons_affected=3)
    assert assessment.rule.code == "appi-2022"
    assert assessment.reportable and assessment.grounds_list == [3]


@pytest.mark.django_db
def test_a_new_rule_row_changes_the_deadlines_from_its_date(org):
    BreachRule.objects.create(code="test-2027", name_ja="試験用の改正", effective_from=
                              datetime.date(2027, 1, 1), final_days=20)
    in_2027 = assess_incident(org, datetime.datetime(2027, 2, 10, 8, tzinfo=TOKYO),
                              sensitive=True)
    assert in_2027.rule.code == "test-2027"
    assert in_2027.final_due == datetime.date(2027, 3, 1)  # day 20 from 10 February
    # the day before, the 2024 rule still applies
    in_2026 = assess_incident(org, datetime.datetime(2026, 12, 31, 23, 59, tzinfo=TOKYO),
                              sensitive=True)
    assert in_2026.rule.code == "appi-2024"
    assert in_2026.final_due == datetime.date(2027, 1, 29)


@pytest.mark.django_db
def test_a_new_rule_row_changes_the_computed_deadline_a_rule_in_use_is_frozen(org):
    """A change of the law is a new rule with its date (issue 13, item 2): editing the rule the
    assessment applied is refused; adding a rule from before its awareness derives it again."""
    from django.core.exceptions import ValidationError

    assessment = assess_incident(org, datetime.datetime(2026, 4, 1, 9, tzinfo=TOKYO),
                                 sensitive=True, persons_affected=1000)
    assert assessment.grounds_list == [1]
    assert assessment.final_due == datetime.date(2026, 4, 30)
    rule = BreachRule.objects.get(code="appi-2024")
    rule.final_days = 25
    with pytest.raises(ValidationError) as caught:
        rule.save()
    assert "appi-2024" in caught.value.message_dict["final_days"][0]
    assert BreachRule.objects.get(code="appi-2024").final_days == 30
    BreachRule.objects.create(code="test-2026", name_ja="試験用の改正",
                              effective_from=datetime.date(2026, 1, 1), final_days=25,
                              preliminary_due_days=4, person_threshold=999)
    assessment.refresh_from_db()
    assert assessment.rule.code == "test-2026"
    assert assessment.final_due == datetime.date(2026, 4, 25)
    assert assessment.preliminary_due == datetime.date(2026, 4, 4)
    assert assessment.grounds_list == [1, 4]  # 1,000 persons are now above the threshold


@pytest.mark.django_db
def test_no_rule_in_force_before_april_2022_is_refused(org):
    from django.core.exceptions import ValidationError

    incident = incident_aware(org, datetime.datetime(2022, 3, 31, 23, 0, tzinfo=TOKYO))
    assessment = BreachAssessment(incident=incident, personal_data=True, sensitive=True)
    with pytest.raises(ValidationError) as caught:
        assessment.full_clean()
    assert "personal_data" in caught.value.message_dict
    assert "2022-03-31" in caught.value.message_dict["personal_data"][0]


@pytest.mark.django_db
def test_an_encrypted_breach_shows_no_ground_and_what_would_have_applied(org, english):
    from mamori.core.testing import api_client

    assessment = assess_incident(org, datetime.datetime(2026, 6, 1, 9, tzinfo=TOKYO),
                                 sensitive=True, persons_affected=1350, encrypted=True)
    assert (assessment.reportable, assessment.exempt) == (False, True)
    assert assessment.grounds_list == [] and assessment.grounds_if_unencrypted_list == [1, 4]
    assert not assessment.incident.reports.exists()
    body = api_client(org.users["ciso"]).get(
        f"/api/incidents/assessments/{assessment.pk}/").json()
    assert (body["grounds"], body["grounds_if_unencrypted"]) == ([], [1, 4])
    page = org.client("ciso").get(assessment.get_absolute_url(),
                                  HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="grounds-if-unencrypted"' in page
    assert "grounds 1,4 of enforcement rules Art 7 would have applied" in page


@pytest.mark.django_db
def test_the_migration_that_empties_exempt_grounds_logs_each_row(org):
    """An assessment stored before encryption emptied the grounds holds them in `grounds`:
    the migration moves them to `grounds_if_unencrypted` and logs the move, so the change
    log still folds to what the rows hold (`verifylog --reconcile`)."""
    from mamori.core import reconcile
    from mamori.core.changelog import record, verify
    from mamori.core.models import ChangeLogEntry

    migration = __import__("mamori.incidents.migrations.0003_rules_frozen",
                           fromlist=["exempt_grounds_apart"])
    assessment = assess_incident(org, datetime.datetime(2026, 6, 1, 9, tzinfo=TOKYO),
                                 sensitive=True, encrypted=True)
    # As an assessment stored before the change (grounds kept under the exemption), logged.
    BreachAssessment.objects.filter(pk=assessment.pk).update(grounds="1",
                                                             grounds_if_unencrypted="")
    record("update", assessment, None, {"grounds": "1", "grounds_if_unencrypted": ""})

    class Editor:
        class connection:
            alias = "default"

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    # The models as the migration sees them (plain managers: a move is not logged by them).
    historical = MigrationLoader(connection).project_state(
        ("incidents", "0003_rules_frozen")).apps
    before = ChangeLogEntry.objects.count()
    migration.exempt_grounds_apart(historical, Editor())

    assessment.refresh_from_db()
    assert (assessment.grounds, assessment.grounds_if_unencrypted) == ("", "1")
    assert ChangeLogEntry.objects.count() == before + 1
    moved = ChangeLogEntry.objects.order_by("-seq").first()
    assert (moved.actor_name, moved.before, moved.after) == (
        "command:migrate", {"grounds": "1", "grounds_if_unencrypted": ""},
        {"grounds": "", "grounds_if_unencrypted": "1"})
    assert [d for d in reconcile.reconcile_model(BreachAssessment)
            if d.kind == reconcile.DIFFERS] == []
    assert verify().ok
