"""Whether a personal-data breach must be reported to the Personal Information Protection
Commission (PPC), on which grounds, and by when.

The law: APPI (個人情報保護法) Art 26(1) obliges a business to report a leak, loss or damage
(漏えい等) of personal data that is likely to harm individuals' rights and interests; the PPC's
enforcement rules (施行規則) name the cases in Art 7:

  1. sensitive personal information (要配慮個人情報) is or may be involved;
  2. the data could be misused to cause financial damage (card numbers, credentials);
  3. the breach may result from an act done for a wrongful purpose against the business
     (unauthorised access, theft by an insider) — since the April 2024 amendment this also
     covers personal information the business was in the course of acquiring, such as what
     customers type into its web forms (web skimming);
  4. more than 1,000 persons are or may be affected.

Only item 3 was extended to information being acquired: items 1, 2 and 4 still speak of
personal data the business holds (個人データ). So when what was affected is information being
acquired, only item 3 can apply to it (and only under a rule from the 2024 amendment on,
`acquisition_counts_as_wrongful`); items 1, 2 and 4 apply only when personal data the business
already held was affected as well — a separate answer (`held_data_also_affected`), and the
other answers then describe that held data. A skimmed card form with 5,000 entries is a case
of item 3 alone from April 2024, and no reportable case before.

Data protected by advanced encryption or an equivalent measure (the key not compromised) is
taken out of every item, 1 to 4, and so out of Art 8 too: no ground applies and no report is
due. Mamori keeps the grounds that would have applied without it (`grounds_if_unencrypted`)
so the reader sees what the exemption decided. Art 8 asks for a
preliminary report (速報) "promptly" — the PPC guideline (通則編 3-5-3-3) says about 3 to 5
days — and a final report (確報) within 30 days, or 60 days for case 3.

How the days are counted (通則編 3-5-3-3, 3-5-3-4, as Mamori applies them): the clock starts when
the business became aware (知った時点) — when any of its departments knew; days are calendar
days in Japan (Asia/Tokyo), weekends and public holidays included, and the day of awareness is
day 1 whatever the hour, so a final report due "within 30 days" of awareness on 1 April is due
on 30 April. Every number here comes from a `BreachRule` row with an effective date, so a change
in the law is a change of data.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

JAPAN = ZoneInfo("Asia/Tokyo")

SENSITIVE, FINANCIAL, WRONGFUL, MANY_PERSONS = 1, 2, 3, 4
GROUNDS = (SENSITIVE, FINANCIAL, WRONGFUL, MANY_PERSONS)


@dataclass(frozen=True)
class Answers:
    """The handler's answers to the questions that decide reportability."""

    personal_data: bool = False
    sensitive: bool = False
    financial_damage: bool = False
    wrongful_purpose: bool = False
    # The data was personal information the company was acquiring (e.g. entered into its own
    # web form), not yet personal data it held: counts under ground 3 from the 2024 amendment.
    being_acquired: bool = False
    # With `being_acquired`: personal data the company already held was affected too, so the
    # other grounds apply to that data.
    held_data_also_affected: bool = False
    persons_affected: int | None = None
    encrypted: bool = False


@dataclass(frozen=True)
class Rule:
    """The parameters of the law in force (a `BreachRule` row carries the same names)."""

    preliminary_target_days: int = 3
    preliminary_due_days: int = 5
    final_days: int = 30
    final_days_wrongful: int = 60
    person_threshold: int = 1000
    awareness_day_is_day_one: bool = True
    acquisition_counts_as_wrongful: bool = True


@dataclass(frozen=True)
class Outcome:
    reportable: bool
    grounds: tuple[int, ...] = ()
    exempt: bool = False
    # What `grounds` would be without the encryption exemption (empty when not exempt).
    grounds_if_unencrypted: tuple[int, ...] = ()
    preliminary_target: datetime.date | None = None
    preliminary_due: datetime.date | None = None
    final_due: datetime.date | None = None
    notes: tuple[str, ...] = field(default=())


def awareness_date(aware_at: datetime.datetime) -> datetime.date:
    """The calendar date in Japan on which the company became aware."""
    if aware_at.tzinfo is None:
        raise ValueError("the moment of awareness must carry a time zone")
    return aware_at.astimezone(JAPAN).date()


def day_number(aware_on: datetime.date, days: int, rule) -> datetime.date:
    """The last day of a period of `days` calendar days starting at awareness."""
    offset = days - 1 if rule.awareness_day_is_day_one else days
    return aware_on + datetime.timedelta(days=offset)


def grounds_for(answers: Answers, rule) -> tuple[int, ...]:
    """The items of Art 7 that apply, before the encryption exemption."""
    # Items 1, 2 and 4 speak of personal data held: information being acquired is not, unless
    # held personal data was affected as well.
    held = not answers.being_acquired or answers.held_data_also_affected
    found = []
    if held and answers.sensitive:
        found.append(SENSITIVE)
    if held and answers.financial_damage:
        found.append(FINANCIAL)
    if answers.wrongful_purpose and (held or rule.acquisition_counts_as_wrongful):
        found.append(WRONGFUL)
    if held and answers.persons_affected is not None \
            and answers.persons_affected > rule.person_threshold:
        found.append(MANY_PERSONS)
    return tuple(found)


def assess(answers: Answers, aware_at: datetime.datetime, rule) -> Outcome:
    """The outcome for one incident: reportable or not, the grounds, and the due dates."""
    aware_on = awareness_date(aware_at)  # refuses a moment without a time zone, always
    if not answers.personal_data:
        return Outcome(reportable=False, notes=("no-personal-data",))
    grounds = grounds_for(answers, rule)
    notes = []
    if answers.wrongful_purpose and answers.being_acquired and WRONGFUL not in grounds:
        notes.append("acquisition-not-covered")
    if not grounds:
        return Outcome(reportable=False, notes=(*notes, "no-ground"))
    if answers.encrypted:
        # The exemption takes the data out of every item: no ground applies.
        return Outcome(reportable=False, grounds=(), grounds_if_unencrypted=grounds,
                       exempt=True, notes=(*notes, "encrypted"))
    final_days = rule.final_days_wrongful if WRONGFUL in grounds else rule.final_days
    return Outcome(
        reportable=True,
        grounds=grounds,
        preliminary_target=day_number(aware_on, rule.preliminary_target_days, rule),
        preliminary_due=day_number(aware_on, rule.preliminary_due_days, rule),
        final_due=day_number(aware_on, final_days, rule),
        notes=tuple(notes),
    )
