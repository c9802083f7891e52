"""kinds: the per-kind conversions as tables of input and expected value."""

from __future__ import annotations

import datetime as dt

import pytest

from blankett import kinds
from blankett.form import Kind


@pytest.mark.parametrize("kind, value, text", [
    (Kind.TEXT, None, ""), (Kind.LIST, None, ""), (Kind.TEXT, "Hot\nvia sms", "Hot\nvia sms"),
    (Kind.JANEJ, "Nej", "Nej"), (Kind.DATE, dt.date(2026, 3, 12), "2026-03-12"),
    (Kind.LIST, ["Första", "Andra"], "Första\nAndra"), (Kind.LIST, [], ""),
])
def test_a_value_as_the_text_written_to_csv_and_word(kind, value, text):
    assert kinds.text_of(kind, value) == text


@pytest.mark.parametrize("value, items", [
    (None, []), ([], []), (["a", "b", "c", "d"], ["a", "b", "c", "d"]), ([None, "a", " ", "", "b"], ["a", "b"]),
    (("a", "b"), ["a", "b"]),
])
def test_a_list_keeps_up_to_four_points(value, items):
    assert kinds.parse_list(value) == items


@pytest.mark.parametrize("value, message", [
    (["a\nb"], "en punkt i listan får inte innehålla radbrytningar"),
    (["a\rb"], "en punkt i listan får inte innehålla radbrytningar"),
    ([5], "varje punkt i listan ska vara en text"),
    (["a", "b", "c", "d", "e"], "högst 4 punkter får plats, här finns 5"),
])
def test_a_list_that_cannot_be_points_says_why(value, message):
    with pytest.raises(ValueError) as err:
        kinds.parse_list(value)
    assert str(err.value) == message
