"""A completion's certificate: a PDF for whoever may view the completion, linked from its
page; refused to others."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from mamori.training import certificate
from mamori.training.models import Completion, Course, QuizAttempt
from mamori.training.tests.helpers import correct_answers, elearning_course


def completion_of(org, username="staff"):
    course = Course.objects.create(code="EXT-1", kind=Course.Kind.EXTERNAL, title_ja="外部研修",
                                   title_en="External", validity_months=12)
    return Completion.objects.create(person=org.people[username], course=course,
                                     completed_on=timezone.localdate(), score=90,
                                     source=Completion.Source.IMPORT)


def test_the_certificate_is_a_pdf(org):
    completion = completion_of(org)
    for username in ("staff", "manager", "ciso", "auditor"):
        response = org.client(username).get(
            reverse("training:completion_certificate", args=[completion.pk]))
        assert response.status_code == 200, username
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert certificate.number(completion) in response["Content-Disposition"]


def test_refused_out_of_scope(org):
    # IT's dispatched worker: neither the staff of Sales East nor the manager of Sales.
    completion = completion_of(org, "it_staff")
    for username in ("staff", "manager"):
        response = org.client(username).get(
            reverse("training:completion_certificate", args=[completion.pk]))
        assert response.status_code == 404, username
    assert org.client("it_staff").get(
        reverse("training:completion_certificate", args=[completion.pk])).status_code == 200


def test_the_certificate_text_names_the_completion(org):
    course = elearning_course()
    client = org.client("staff")
    client.post(reverse("training:course_take", args=[course.pk]))
    attempt = QuizAttempt.objects.get()
    client.post(reverse("training:quizattempt_answer", args=[attempt.pk]),
                correct_answers(course))
    attempt.refresh_from_db()
    completion = Completion.objects.get(attempt=attempt)
    assert certificate.number(completion) == f"TRN-{completion.pk:06d}"
    # The requests above leave the thread in the client's language (Japanese).
    with translation.override("en"):
        html = render_to_string("training/certificate_pdf.html", {
            "completion": completion, "number": certificate.number(completion),
            "generated_at": timezone.localtime()})
    for text in (org.people["staff"].employee_no, course.code, attempt.answers_hash,
                 certificate.number(completion), "Quiz passed"):
        assert text in html


def test_the_completion_page_links_the_certificate(org):
    completion = completion_of(org)
    page = org.client("staff").get(completion.get_absolute_url()).content.decode()
    assert reverse("training:completion_certificate", args=[completion.pk]) in page
