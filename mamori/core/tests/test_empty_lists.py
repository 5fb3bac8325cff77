"""An empty register says what it is for and offers the first record to whoever may create
one; a list emptied by filters says so and offers to clear them (issue 16 #15)."""

import pytest

pytestmark = pytest.mark.django_db

ASSETS = "/assets/register/"


def test_an_empty_register_says_what_it_is_for(org):
    page = org.client("manager").get(ASSETS, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "各部門の情報資産" in page
    assert 'data-testid="create-first"' in page
    english = org.client("manager").get(ASSETS, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The information assets of each department" in english


def test_the_first_action_only_for_who_may_take_it(org):
    response = org.client("auditor").get(ASSETS, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    page = response.content.decode()
    assert "各部門の情報資産" in page and 'data-testid="create-first"' not in page
    assert response.context["can_add"] is False


def test_a_list_emptied_by_filters_says_so(org):
    page = org.client("manager").get(ASSETS + "?status=retired&sort=code",
                                     HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing matches these filters." in page and 'href="?"' in page
    assert "The information assets of each department" not in page
    sorted_only = org.client("manager").get(ASSETS + "?sort=code").content.decode()
    assert "各部門の情報資産" in sorted_only
