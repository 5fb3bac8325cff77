"""Mamori's model course (data/, written for this project): the basic policy's essentials,
handling personal information and card data, reporting incidents at once, and phishing and
passwords, in Japanese and English, with a ten-question quiz."""

import json
from pathlib import Path

from django.db import transaction

from mamori.training.models import Course, Question

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_model_course() -> Course | None:
    """Create the model course and its quiz unless a course with its code exists (a company
    that adapted it keeps its own). Returns the course created, or None."""
    meta = json.loads((DATA_DIR / "course.json").read_text(encoding="utf-8"))
    if Course.objects.filter(code=meta["code"]).exists():
        return None
    quiz = json.loads((DATA_DIR / "quiz.json").read_text(encoding="utf-8"))
    with transaction.atomic():
        course = Course(
            code=meta["code"], kind=Course.Kind.ELEARNING, title_ja=meta["title_ja"],
            title_en=meta["title_en"], summary_ja=meta["summary_ja"],
            summary_en=meta["summary_en"],
            body_ja=(DATA_DIR / "course-ja.md").read_text(encoding="utf-8"),
            body_en=(DATA_DIR / "course-en.md").read_text(encoding="utf-8"),
            duration_minutes=meta["duration_minutes"],
            validity_months=meta["validity_months"], pass_mark=meta["pass_mark"])
        course.full_clean()
        course.save()
        for position, item in enumerate(quiz, start=1):
            question = Question(
                course=course, position=position, multiple=item["multiple"],
                text_ja=item["text_ja"], text_en=item["text_en"],
                choices_ja="\n".join(c["text_ja"] for c in item["choices"]),
                choices_en="\n".join(c["text_en"] for c in item["choices"]),
                correct=",".join(str(i) for i, c in enumerate(item["choices"], start=1)
                                 if c["correct"]))
            question.full_clean()
            question.save()
    return course
