"""Bilingual records: Japanese is always there; English is shown when the UI is in English and
an English text exists."""

from django.utils.translation import get_language


def in_english() -> bool:
    return (get_language() or "ja").startswith("en")


def localized(japanese: str, english: str) -> str:
    return english if english and in_english() else japanese
