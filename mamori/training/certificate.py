"""A completion's certificate: one A4 page (WeasyPrint, Noto Sans CJK JP embedded) in the
reader's language, numbered after the completion."""

from django.template.loader import render_to_string
from django.utils import timezone

from mamori.core.io import pdf_attachment
from mamori.training.models import Completion


def number(completion: Completion) -> str:
    return f"TRN-{completion.pk:06d}"


def pdf_response(completion: Completion):
    html = render_to_string("training/certificate_pdf.html", {
        "completion": completion, "number": number(completion),
        "generated_at": timezone.localtime()})
    return pdf_attachment(html, f"certificate-{number(completion)}")
