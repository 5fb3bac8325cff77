"""Taking an e-learning course's quiz: an attempt's layout (questions and their choices in a
random order, kept on the attempt so the page and the scoring read the same order), its
scoring, and the hashes that make a submitted attempt evidence.

The content hash fixes what was asked (each question's texts, choices and correct choices);
the answers hash fixes who answered what, with which score and when. Both are SHA-256 over
canonical JSON (keys sorted, no spaces, UTF-8), so anyone can recompute them from the record.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.core.changelog import canonical
from mamori.training.models import Completion, Course, Question, QuizAttempt

_random = secrets.SystemRandom()


def sha256(payload) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


def content_of(questions) -> list[dict]:
    """What was asked, in the questions' own order (by id), for the content hash."""
    return [{"id": q.pk, "text_ja": q.text_ja, "text_en": q.text_en,
             "choices_ja": Question.lines(q.choices_ja),
             "choices_en": Question.lines(q.choices_en),
             "correct": sorted(q.correct_indexes()), "multiple": q.multiple}
            for q in sorted(questions, key=lambda q: q.pk)]


def content_hash(questions) -> str:
    return sha256({"questions": content_of(questions)})


def shuffled_layout(questions) -> list:
    """[[question id, [choice indexes in the order shown]], …] in the order shown."""
    order = list(questions)
    _random.shuffle(order)
    layout = []
    for question in order:
        choices = list(range(len(Question.lines(question.choices_ja))))
        _random.shuffle(choices)
        layout.append([question.pk, choices])
    return layout


def refusal(person, course: Course) -> str | None:
    """Why `person` may not take `course` on their own, or None."""
    if person is None:
        return _("Your account is not linked to a person record, so it cannot take courses.")
    if not course.is_active or course.kind != Course.Kind.ELEARNING:
        return _("This course is not an active e-learning course.")
    if not course.questions.exists():
        return _("This course has no quiz yet.")
    return None


def start(person, course: Course) -> QuizAttempt:
    """A new attempt of `person` at the course's quiz, its questions and choices shuffled."""
    reason = refusal(person, course)
    if reason:
        raise ValidationError(reason)
    with transaction.atomic():
        questions = list(course.questions.order_by("position", "pk"))
        return QuizAttempt.objects.create(
            person=person, course=course, layout=shuffled_layout(questions),
            content_hash=content_hash(questions), pass_mark=course.pass_mark)


@dataclass
class ShownQuestion:
    question: Question
    number: int
    choices: list  # (original index, text) in the order shown

    @property
    def field_name(self) -> str:
        return f"q{self.question.pk}"


def shown_questions(attempt: QuizAttempt) -> list[ShownQuestion]:
    """The attempt's questions in the order it showed them, each with its choices in the
    shown order and the UI language. One query."""
    by_id = Question.objects.filter(pk__in=[qid for qid, _order in attempt.layout]).in_bulk()
    shown = []
    for number, (question_id, order) in enumerate(attempt.layout, start=1):
        question = by_id.get(question_id)
        if question is None:  # deleted since the attempt started: it cannot be answered
            continue
        texts = question.choice_texts()
        shown.append(ShownQuestion(question, number,
                                   [(i, texts[i]) for i in order if i < len(texts)]))
    return shown


def read_answers(attempt: QuizAttempt, data) -> dict[str, list[int]]:
    """The chosen original choice indexes per question id, from the submitted form; only
    choices the layout offered count."""
    answers = {}
    for question_id, order in attempt.layout:
        chosen = set()
        for value in data.getlist(f"q{question_id}"):
            if value.isdigit() and int(value) in order:
                chosen.add(int(value))
        answers[str(question_id)] = sorted(chosen)
    return answers


def score(questions, answers: dict[str, list[int]]) -> tuple[int, list[int]]:
    """(score in %, ids of the questions answered wrongly): a question counts only when the
    chosen set is exactly the correct set."""
    wrong = [q.pk for q in questions
             if frozenset(answers.get(str(q.pk), [])) != q.correct_indexes()]
    total = len(questions)
    right = total - len(wrong)
    return (round(100 * right / total) if total else 0), wrong


def answers_hash(attempt: QuizAttempt) -> str:
    return sha256({
        "attempt": attempt.pk, "person": attempt.person_id, "course": attempt.course_id,
        "content_hash": attempt.content_hash, "answers": attempt.answers,
        "score": attempt.score, "submitted_at": attempt.submitted_at.isoformat(),
    })


def submit(attempt: QuizAttempt, data) -> QuizAttempt:
    """Score the attempt from the submitted form and close it; a pass records the completion
    (which completes the assignments it satisfies) in the same transaction."""
    with transaction.atomic():
        # Locked and read again: a second submission of the same form waits, then finds it
        # submitted.
        attempt = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.submitted_at is not None:
            raise ValidationError(_("This attempt was already submitted."))
        questions = [s.question for s in shown_questions(attempt)]
        attempt.answers = read_answers(attempt, data)
        attempt.score, _wrong = score(questions, attempt.answers)
        attempt.passed = attempt.score >= attempt.pass_mark
        attempt.submitted_at = timezone.now()
        attempt.answers_hash = answers_hash(attempt)
        attempt.save()
        if attempt.passed:
            Completion.objects.create(
                person=attempt.person, course=attempt.course,
                completed_on=timezone.localdate(attempt.submitted_at), score=attempt.score,
                source=Completion.Source.QUIZ, attempt=attempt)
    return attempt


def wrong_questions(attempt: QuizAttempt) -> list[ShownQuestion]:
    """The questions of a submitted attempt answered wrongly, in the order shown."""
    shown = shown_questions(attempt)
    _score, wrong = score([s.question for s in shown], attempt.answers)
    return [s for s in shown if s.question.pk in wrong]
