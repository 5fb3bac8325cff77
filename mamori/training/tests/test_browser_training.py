"""Training in a real browser (Playwright + Debian's chromium), once in Japanese and once in
English.

A dispatched worker of Sales, assigned the model course by the yearly programme for
dispatched workers, signs in, finds the course on My page, reads it, takes the quiz (its
questions and choices shuffled), answers every question correctly and passes; the result
offers the certificate. The information manager of Sales then sees the assignment completed.
No page may trip the Content Security Policy, throw a JavaScript error or fail to load.

Reuses the live server, browser and helpers of mamori/core/tests/test_browser.py and the page
helpers of the risk and incident flows. Set MAMORI_SCREENSHOTS=<dir> to keep the screenshots.
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from mamori.core.tests import test_browser as ui
from mamori.incidents.tests import test_browser_incident_flow as incident_flow
from mamori.org.models import Person
from mamori.risks.tests import test_browser_risk_flow as flow
from mamori.training import assign
from mamori.training.model_course import load_model_course
from mamori.training.models import (
    Assignment,
    ClassroomSession,
    Completion,
    Course,
    Programme,
    QuizAttempt,
)

expect = ui.expect
pytestmark = ui.pytestmark

live_server = ui.live_server
live_org = ui.live_org
browser = ui.browser
log = flow.log
make_page = flow.make_page

OTHER_LOCALE = flow.OTHER_LOCALE
problems, text_in, str_in = flow.problems, flow.text_in, flow.str_in
open_in, log_in_with_totp = incident_flow.open_in, incident_flow.log_in_with_totp


def shots_dir(tmp_path) -> Path:
    directory = Path(os.environ.get("MAMORI_SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def dispatched_worker(live_org) -> Person:
    user = get_user_model().objects.create_user("haken", password="x-haken-password-1")
    return Person.objects.create(employee_no="H001", name="派遣 太郎", name_latin="Taro Haken",
                                 category=Person.Category.DISPATCHED,
                                 department=live_org.sales, user=user)


def programme_for_dispatched(course) -> Programme:
    programme = Programme.objects.create(
        code="DISPATCHED-YEARLY", title_ja="派遣労働者 年次研修",
        title_en="Dispatched workers: yearly training", course=course,
        recurrence=Programme.Recurrence.YEARLY, categories=[Person.Category.DISPATCHED],
        starts_on=datetime.date(2020, 4, 1))
    assign.sync_programme(programme)
    return programme


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_dispatched_worker_takes_the_model_course(lang, live_server, live_org, make_page,
                                                     log, tmp_path):
    base, shots = live_server.url, shots_dir(tmp_path)
    course = load_model_course()
    worker = dispatched_worker(live_org)
    programme = programme_for_dispatched(course)
    assignment = Assignment.objects.get(programme=programme, person=worker)
    assert assignment.status == "open"

    # 0. The information manager of Sales sees it not yet done on the coverage page.
    manager = make_page(OTHER_LOCALE[lang])
    ui.log_in(manager, base, "manager", "x-manager-password-1")
    coverage_url = f"{reverse('training:coverage')}?programme={programme.pk}"
    open_in(manager, base, lang, coverage_url)
    expect(manager.get_by_test_id("programme-done")).to_have_text("0")

    # 1. The worker finds the course on My page and reads it.
    page = make_page(OTHER_LOCALE[lang])
    ui.log_in(page, base, "haken", "x-haken-password-1")
    open_in(page, base, lang, reverse("core:my_page"))
    panel = page.get_by_test_id("training-todo")
    expect(panel).to_contain_text(str_in(lang, course))
    ui.screenshot(page, shots / f"my-page-{lang}.png")
    panel.get_by_test_id("take-course").click()
    expect(page).to_have_url(re.compile(rf"/training/courses/{course.pk}/take/$"))
    expect(page.get_by_test_id("course-text").locator("h1, h2").first).to_be_visible()
    ui.screenshot(page, shots / f"take-{lang}.png")

    # 2. The quiz, in the order stored on the attempt; every answer correct.
    page.get_by_test_id("start-quiz").click()
    expect(page).to_have_url(re.compile(r"/training/attempts/\d+/answer/$"))
    attempt = QuizAttempt.objects.get(person=worker)
    questions = {q.pk: q for q in course.questions.all()}
    shown = page.get_by_test_id("question")
    expect(shown).to_have_count(len(questions))
    shown_ids = [int(i) for i in shown.evaluate_all(
        "items => items.map(item => item.dataset.question)")]
    assert shown_ids == [qid for qid, _order in attempt.layout]
    first = questions[shown_ids[0]]
    expect(shown.first).to_contain_text(str_in(lang, type("T", (), {
        "__str__": lambda self: first.text})()))
    for qid in shown_ids:
        for index in questions[qid].correct_indexes():
            page.locator(f"input[name=q{qid}][value='{index}']").check()
    ui.screenshot(page, shots / f"quiz-{lang}.png")
    page.get_by_test_id("submit-quiz").click()

    # 3. Passed: the completion is recorded and the assignment completed.
    expect(page.get_by_test_id("quiz-passed")).to_be_visible()
    expect(page.get_by_test_id("quiz-score")).to_have_text("100")
    expect(page.get_by_test_id("try-again")).to_have_count(0)
    expect(page.get_by_test_id("certificate")).to_be_visible()
    ui.screenshot(page, shots / f"result-{lang}.png")
    attempt.refresh_from_db()
    assert attempt.passed and attempt.score == 100 and len(attempt.answers_hash) == 64
    completion = Completion.objects.get(attempt=attempt)
    assignment.refresh_from_db()
    assert assignment.status == "completed" and assignment.completion == completion

    page.goto(f"{base}{reverse('core:my_page')}")
    expect(page.get_by_test_id("training-completion")).to_have_count(1)
    expect(page.get_by_test_id("training-assignment")).to_have_count(0)

    # 4. The information manager of Sales sees it done: the coverage changes (the worker;
    # IT's dispatched worker is outside the manager's scope), and the list names them.
    # (Their session is in the language under test already.)
    manager.goto(f"{base}{coverage_url}")
    expect(manager.locator("html")).to_have_attribute("lang", lang)
    expect(manager.get_by_test_id("programme-done")).to_have_text("1")
    ui.screenshot(manager, shots / f"manager-coverage-{lang}.png")
    manager.goto(f"{base}{reverse('training:assignment_list')}"
                 f"?programme={programme.pk}&status=completed")
    rows = manager.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(str_in(lang, worker))
    ui.screenshot(manager, shots / f"manager-assignments-{lang}.png")
    assert not problems(log), problems(log)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_ciso_and_staff_pages(lang, live_server, live_org, make_page, log, tmp_path):
    """The course, session and completion pages as the CISO and as staff (screenshots)."""
    base, shots = live_server.url, shots_dir(tmp_path)
    course = load_model_course()
    classroom = Course.objects.create(code="CR-1", kind=Course.Kind.CLASSROOM,
                                      title_ja="標的型メール訓練 説明会",
                                      title_en="Phishing drill briefing")
    starts = timezone.now() - datetime.timedelta(days=1)
    session = ClassroomSession.objects.create(course=classroom, starts_at=starts,
                                              ends_at=starts + datetime.timedelta(hours=1),
                                              place="本社 大会議室", instructor="情報システム部")
    programme_for_dispatched(course)

    ciso = make_page(OTHER_LOCALE[lang])
    log_in_with_totp(ciso, base, live_org.users["ciso"], "x-ciso-password-1")
    open_in(ciso, base, lang, course.get_absolute_url())
    expect(ciso.get_by_test_id("course-questions").locator(".list-group-item")).to_have_count(
        course.questions.count())
    expect(ciso.get_by_test_id("add-question")).to_be_visible()
    ui.screenshot(ciso, shots / f"course-ciso-{lang}.png")

    ciso.goto(f"{base}{session.get_absolute_url()}")
    expect(ciso.locator("html")).to_have_attribute("lang", lang)
    ciso.locator("[data-testid=attendance-form] textarea").fill("P003\nP999")
    ciso.get_by_test_id("record-attendance").click()
    expect(ciso.get_by_test_id("attendance-error")).to_contain_text("P999")
    ui.screenshot(ciso, shots / f"session-error-ciso-{lang}.png")
    assert not Completion.objects.exists()
    ciso.locator("[data-testid=attendance-form] textarea").fill("P003\nP004")
    ciso.get_by_test_id("record-attendance").click()
    expect(ciso.locator(".alert-success")).to_be_visible()
    expect(ciso.get_by_test_id("attendees").locator(".list-group-item")).to_have_count(2)
    ui.screenshot(ciso, shots / f"session-ciso-{lang}.png")
    completion = Completion.objects.get(person=live_org.people["staff"])
    ciso.goto(f"{base}{completion.get_absolute_url()}")
    expect(ciso.get_by_test_id("certificate")).to_be_visible()
    ui.screenshot(ciso, shots / f"completion-ciso-{lang}.png")

    staff = make_page(OTHER_LOCALE[lang])
    ui.log_in(staff, base, "staff", "x-staff-password-1")
    open_in(staff, base, lang, course.get_absolute_url())
    expect(staff.get_by_test_id("course-questions")).to_have_count(0)
    expect(staff.get_by_test_id("add-question")).to_have_count(0)
    expect(staff.get_by_test_id("take-course")).to_be_visible()
    ui.screenshot(staff, shots / f"course-staff-{lang}.png")
    staff.goto(f"{base}{reverse('core:my_page')}")
    ui.screenshot(staff, shots / f"my-page-staff-{lang}.png")
    # The refused attendance answers 400 with the form and its errors, as form pages do.
    unexpected = [line for line in problems(log) if not line.startswith("400 ")
                  or "/attendance/" not in line]
    assert not unexpected, unexpected
