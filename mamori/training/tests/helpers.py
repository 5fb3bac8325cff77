"""Courses, programmes and answers for the training tests."""

import datetime

from mamori.training import assign
from mamori.training.models import Course, Programme, Question


def elearning_course(code="SEC-1", pass_mark=50, questions=None) -> Course:
    """An e-learning course with a single-answer and a several-answers question."""
    course = Course.objects.create(code=code, kind=Course.Kind.ELEARNING, title_ja="基礎研修",
                                   title_en="Basics", body_ja="# 見出し\n\n**本文**です。",
                                   body_en="# Heading\n\n**Text**.", pass_mark=pass_mark)
    for position, (multiple, correct) in enumerate(questions or [(False, "2"), (True, "1,3")],
                                                   start=1):
        Question.objects.create(
            course=course, position=position, multiple=multiple,
            text_ja=f"質問{position}", text_en=f"Question {position}",
            choices_ja="選択A\n選択B\n選択C", choices_en="Choice A\nChoice B\nChoice C",
            correct=correct)
    return course


def programme_for(course, **fields) -> Programme:
    fields.setdefault("starts_on", datetime.date(2020, 1, 1))
    programme = Programme.objects.create(code=f"P-{course.code}", title_ja="年次研修",
                                         title_en="Yearly training", course=course, **fields)
    assign.sync_programme(programme)
    return programme


def correct_answers(course) -> dict[str, list[str]]:
    return {f"q{q.pk}": [str(i) for i in sorted(q.correct_indexes())]
            for q in course.questions.all()}
