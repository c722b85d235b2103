"""GB 11643 ID numbers: shape, birth date and check digit."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core.validators import id_check_char, parse_id_number

# The standard's own worked example (GB 11643-1999 annex).
VALID = "11010519491231002X"


def test_standard_example_is_valid():
    assert parse_id_number(VALID) == VALID


def test_lower_case_x_and_full_width_digits_are_folded():
    assert parse_id_number("１１０１０５１９４９１２３１００２x") == VALID


@pytest.mark.parametrize(
    "value",
    ["110105194912310021", "11010519491331002X", "1101051949123100", "A1010519491231002X"],
)
def test_wrong_check_digit_date_length_or_letters_are_rejected(value):
    with pytest.raises(ValidationError):
        parse_id_number(value)


def test_future_birth_date_is_rejected():
    with pytest.raises(ValidationError):
        parse_id_number("340104" + "20990101" + "001" + id_check_char("34010420990101001"))


@given(
    region=st.integers(110000, 659999),
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    seq=st.integers(0, 999),
)
def test_every_number_with_its_check_digit_parses(region, born, seq):
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    number = first17 + id_check_char(first17)
    assert parse_id_number(number) == number
    wrong = next(c for c in "0123456789X" if c != number[-1])
    with pytest.raises(ValidationError):
        parse_id_number(first17 + wrong)


@given(st.text(max_size=30))
def test_arbitrary_text_never_crashes(text):
    with contextlib.suppress(ValidationError):
        parse_id_number(text)
