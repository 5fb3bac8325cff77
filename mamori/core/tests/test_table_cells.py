"""List tables keep codes, choices and dates on one line (issue 16 #18)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_codes_statuses_and_dates_are_not_broken(org):
    page = org.client("admin").get("/org/people/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    row = re.search(r'<tr>.*?P003.*?</tr>', page, re.S).group(0)
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", row, re.S)
    shown = {re.sub(r"<[^>]+>", "", text).strip(): attrs for attrs, text in cells}
    assert 'class="text-nowrap"' in shown["P003"]  # the staff number
    assert 'class="text-nowrap"' in shown["社員"]  # a category (a choice)
    assert 'class="text-nowrap"' in shown["在籍"]  # a status (a choice)
    assert "text-nowrap" not in shown["テスト staff"]  # a name wraps as text does
