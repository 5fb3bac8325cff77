"""Bilingual records: Japanese is always there; English is shown when the UI is in English and
an English text exists."""

from django.utils.translation import get_language


def in_english() -> bool:
    return (get_language() or "ja").startswith("en")


def localized(japanese: str, english: str) -> str:
    return english if english and in_english() else japanese


class NamedInTwoLanguages:
    """A model with `name_ja` and `name_en`: `name` is the one for the UI's language, and is
    what the record shows as (unless the model says otherwise)."""

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)

    def __str__(self):
        return self.name


class TitledInTwoLanguages:
    """The same for a model with `title_ja` and `title_en`."""

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)

    def __str__(self):
        return self.title
