"""Taking an e-learning course: the shuffled layout, scoring, the completion a pass records,
and who may open, submit and read what."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mamori.core.testing import api_client
from mamori.training import quiz
from mamori.training.models import Assignment, Completion, Question, QuizAttempt
from mamori.training.tests.helpers import correct_answers, elearning_course, programme_for


def start(org, username, course):
    client = org.client(username)
    response = client.post(reverse("training:course_take", args=[course.pk]))
    attempt = QuizAttempt.objects.filter(person=org.people[username]).latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("training:quizattempt_answer", args=[attempt.pk])
    return client, attempt


def submit(client, attempt, answers):
    return client.post(reverse("training:quizattempt_answer", args=[attempt.pk]), answers)


@pytest.fixture
def course(org):
    return elearning_course()


def test_take_page_shows_the_course_text_rendered(org, course):
    response = org.client("staff").get(reverse("training:course_take", args=[course.pk]))
    assert response.status_code == 200
    assert "<strong>本文</strong>" in response.content.decode()
    assert b'data-testid="start-quiz"' in response.content


def test_the_layout_is_shuffled_stored_and_used(org, course):
    client, attempt = start(org, "staff", course)
    questions = {q.pk: q for q in course.questions.all()}
    assert sorted(qid for qid, _order in attempt.layout) == sorted(questions)
    for _qid, order in attempt.layout:
        assert sorted(order) == [0, 1, 2]
    assert attempt.pass_mark == 50 and len(attempt.content_hash) == 64
    assert attempt.content_hash == quiz.content_hash(questions.values())
    # The page shows the stored order of questions and of each question's choices.
    attempt.layout = [[qid, list(reversed(order))] for qid, order in reversed(attempt.layout)]
    attempt.save()
    page = client.get(reverse("training:quizattempt_answer", args=[attempt.pk])).content.decode()
    positions = [page.index(f'data-question="{qid}"') for qid, _order in attempt.layout]
    assert positions == sorted(positions)
    for qid, order in attempt.layout:
        shown = [page.index(f'name="q{qid}" value="{i}"') for i in order]
        assert shown == sorted(shown)
    single, multiple = (course.questions.get(multiple=m).pk for m in (False, True))
    assert f'type="radio" name="q{single}"' in page
    assert f'type="checkbox" name="q{multiple}"' in page


def test_shuffling_uses_the_system_random(monkeypatch, org, course):
    calls = []
    monkeypatch.setattr(quiz._random, "shuffle", lambda items: calls.append(list(items)))
    quiz.start(org.people["staff"], course)
    assert len(calls) == 1 + course.questions.count()


@pytest.mark.parametrize("answers, expected", [
    ({"single": ["1"], "multiple": ["0", "2"]}, 100),
    ({"single": ["1"], "multiple": ["0"]}, 50),  # part of the correct set counts wrong
    ({"single": ["1"], "multiple": ["0", "1", "2"]}, 50),  # one too many counts wrong
    ({"single": ["0"], "multiple": ["0", "2"]}, 50),
    ({"single": [], "multiple": []}, 0),
])
def test_scoring(org, course, answers, expected):
    single = course.questions.get(multiple=False)
    multiple = course.questions.get(multiple=True)
    client, attempt = start(org, "staff", course)
    response = submit(client, attempt, {f"q{single.pk}": answers["single"],
                                        f"q{multiple.pk}": answers["multiple"]})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == expected and attempt.submitted_at is not None
    assert attempt.passed == (expected >= 50)
    assert attempt.answers == {str(single.pk): sorted(int(a) for a in answers["single"]),
                               str(multiple.pk): sorted(int(a) for a in answers["multiple"])}
    assert attempt.answers_hash == quiz.answers_hash(attempt)


def test_answers_hash_is_sha256_of_the_canonical_record(org, course):
    import hashlib

    client, attempt = start(org, "staff", course)
    submit(client, attempt, correct_answers(course))
    attempt.refresh_from_db()
    payload = {"answers": attempt.answers, "attempt": attempt.pk,
               "content_hash": attempt.content_hash, "course": course.pk,
               "person": org.people["staff"].pk, "score": 100,
               "submitted_at": attempt.submitted_at.isoformat()}
    expected = hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":"),
                                         ensure_ascii=False).encode()).hexdigest()
    assert attempt.answers_hash == expected


def test_a_pass_records_the_completion_and_completes_the_assignment(org, course):
    programme = programme_for(course)
    staff = org.people["staff"]
    assignment = Assignment.objects.get(programme=programme, person=staff)
    assert assignment.status == "open"
    client, attempt = start(org, "staff", course)
    response = submit(client, attempt, correct_answers(course))
    assert response["Location"] == reverse("training:quizattempt_result", args=[attempt.pk])
    completion = Completion.objects.get(attempt=attempt)
    assert (completion.person, completion.source, completion.score) == (staff, "quiz", 100)
    assignment.refresh_from_db()
    assert assignment.status == "completed" and assignment.completion == completion
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="quiz-passed"' in page and 'data-testid="try-again"' not in page


def test_a_failed_attempt_keeps_the_assignment_open_and_allows_another(org, course):
    programme = programme_for(course)
    client, attempt = start(org, "staff", course)
    submit(client, attempt, {})
    attempt.refresh_from_db()
    assert attempt.score == 0 and not attempt.passed
    assert not Completion.objects.exists()
    assert Assignment.objects.get(programme=programme, person=org.people["staff"]).status == "open"
    page = client.get(reverse("training:quizattempt_result", args=[attempt.pk])).content.decode()
    assert 'data-testid="quiz-failed"' in page and 'data-testid="try-again"' in page
    # The questions answered wrongly are named, their correct choices are not.
    assert "質問1" in page and "選択" not in page
    _client, second = start(org, "staff", course)
    assert second.pk != attempt.pk
    submit(client, second, correct_answers(course))
    assert QuizAttempt.objects.filter(person=org.people["staff"]).count() == 2
    assert Assignment.objects.get(programme=programme,
                                  person=org.people["staff"]).status == "completed"


def test_a_submitted_attempt_is_immutable(org, course):
    client, attempt = start(org, "staff", course)
    submit(client, attempt, correct_answers(course))
    attempt.refresh_from_db()
    attempt.score = 0
    with pytest.raises(ValidationError):
        attempt.save()
    with pytest.raises(ValidationError):
        attempt.delete()
    # Submitting again or opening the quiz again finds nothing to answer.
    assert submit(client, attempt, {}).status_code == 404
    assert client.get(reverse("training:quizattempt_answer",
                              args=[attempt.pk])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.score == 100


def test_another_person_cannot_open_or_submit_the_attempt(org, course):
    _client, attempt = start(org, "staff", course)
    url = reverse("training:quizattempt_answer", args=[attempt.pk])
    for username in ("manager", "it_staff", "ciso"):
        other = org.client(username)
        assert other.get(url).status_code == 404
        assert other.post(url, correct_answers(course)).status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_refused_without_a_person_or_for_an_inactive_course(org, course):
    admin = org.client("admin")  # no person record
    response = admin.post(reverse("training:course_take", args=[course.pk]), follow=True,
                          HTTP_ACCEPT_LANGUAGE="en")
    assert [str(m) for m in response.context["messages"]] == [
        "Your account is not linked to a person record, so it cannot take courses."]
    assert b'data-testid="take-refused"' in response.content
    assert not QuizAttempt.objects.exists()
    course.is_active = False
    course.save()
    org.client("staff").post(reverse("training:course_take", args=[course.pk]))
    assert not QuizAttempt.objects.exists()
    with pytest.raises(ValidationError):
        quiz.start(org.people["staff"], course)


def test_staff_never_see_the_questions_or_answers(org, course):
    client = org.client("staff")
    page = client.get(course.get_absolute_url()).content.decode()
    assert "質問1" not in page and 'data-testid="course-questions"' not in page
    assert 'data-testid="add-question"' not in page
    assert 'data-testid="take-course"' in page
    question = course.questions.first()
    assert client.get(question.get_absolute_url()).status_code == 404
    api = api_client(org.users["staff"])
    response = api.get("/api/training/questions/")
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        assert rows == []
    assert api.get(f"/api/training/questions/{question.pk}/").status_code in (403, 404)
    # Their own open attempt shows the questions, never which choices are correct.
    _client, attempt = start(org, "staff", course)
    quiz_page = client.get(reverse("training:quizattempt_answer",
                                   args=[attempt.pk])).content.decode()
    start_at = quiz_page.index('data-testid="quiz"')
    form = quiz_page[start_at:quiz_page.index("</form>", start_at)]
    assert "質問1" in form and "correct" not in form and "checked" not in form


def test_the_ciso_sees_the_questions_and_may_add_them(org, course):
    page = org.client("ciso").get(course.get_absolute_url()).content.decode()
    assert 'data-testid="course-questions"' in page and "質問2" in page
    assert 'data-testid="add-question"' in page
    assert f"?course={course.pk}" in page
    assert Question.objects.filter(course=course).count() == 2
