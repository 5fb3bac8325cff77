"""Mamori's model policy: a twelve-article basic policy with the web-systems statement and a
few internal rules, in Japanese and English (data/model/, written for this project).

`load_model_policies` creates the documents as drafts for a company to adapt and approve;
the demo publishes them, approved by its CISO."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from mamori.policies.models import PolicyDocument, PolicyVersion

MODEL_DIR = Path(__file__).resolve().parent / "data" / "model"


@dataclass(frozen=True)
class ModelDocument:
    code: str
    kind: str
    title_ja: str
    title_en: str
    review_interval_months: int
    body_ja: str
    body_en: str


def model_documents() -> list[ModelDocument]:
    manifest = json.loads((MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))
    return [
        ModelDocument(
            code=item["code"], kind=item["kind"], title_ja=item["title_ja"],
            title_en=item["title_en"], review_interval_months=item["review_interval_months"],
            body_ja=(MODEL_DIR / item["files"]["ja"]).read_text(encoding="utf-8"),
            body_en=(MODEL_DIR / item["files"]["en"]).read_text(encoding="utf-8"),
        )
        for item in manifest
    ]


def load_model_policies(owner_department) -> list[PolicyVersion]:
    """Create each model document that does not exist yet, with its text as version 1 (a
    draft). Returns the drafts created; existing documents are left alone."""
    drafts = []
    with transaction.atomic():
        for model in model_documents():
            if PolicyDocument.objects.filter(code=model.code).exists():
                continue
            document = PolicyDocument.objects.create(
                code=model.code, kind=model.kind, title_ja=model.title_ja,
                title_en=model.title_en, owner_department=owner_department,
                review_interval_months=model.review_interval_months)
            drafts.append(PolicyVersion.objects.create(
                document=document, body_ja=model.body_ja, body_en=model.body_en,
                change_summary="Mamori model text"))
    return drafts
