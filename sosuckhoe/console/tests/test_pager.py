"""The links between the pages of a list."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def _pager(number: int, **labels: str) -> str:
    page = Paginator(list(range(120)), 50).get_page(number)
    request = RequestFactory().get("/x/", {"q": "Lan", "page": number})
    return render_to_string("console/_pager.html", {"page": page, "request": request, **labels})


def test_the_links_keep_the_lists_other_parameters_and_name_the_pages():
    middle = _pager(2)
    assert 'href="?q=Lan&amp;page=1"' in middle
    assert 'href="?q=Lan&amp;page=3"' in middle
    assert "2 / 3" in middle
    assert "page=4" not in _pager(3)


def test_a_list_names_its_links_its_own_way():
    html = _pager(2, previous="Newer", next="Older")
    assert "← Newer" in html
    assert "Older →" in html


def test_a_list_of_one_page_has_no_links():
    page = Paginator(list(range(10)), 50).get_page(1)
    request = RequestFactory().get("/")
    assert "<nav" not in render_to_string("console/_pager.html", {"page": page, "request": request})
