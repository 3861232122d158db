"""Normalisers: property-based tests (hypothesis) plus a few known answers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.normalise import (
    fold_name,
    normalise_date,
    normalise_float,
    normalise_iban,
    normalise_person_name,
    normalise_phone,
    normalise_postcode,
)
from ingest.synth.places import display_iban, display_phone

mobile_digits = st.integers(min_value=0, max_value=9_999_999).map(lambda n: f"{n:07d}")
mobile_prefix = st.sampled_from("123458")


@given(mobile_prefix, mobile_digits, st.integers(min_value=0, max_value=100))
def test_every_way_of_writing_a_dutch_mobile_gives_one_e164(
    prefix: str, digits: str, seed: int
) -> None:
    import random

    e164 = f"+316{prefix}{digits}"
    written = display_phone(random.Random(seed), e164)
    assert normalise_phone(written) == e164
    assert normalise_phone(e164) == e164  # idempotent


@pytest.mark.parametrize("bad", ["12", "06-123", "hello", "", "+31 6"])
def test_unparsable_phones_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        normalise_phone(bad)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10), st.integers(0, 100))
def test_iban_spacing_and_case_do_not_matter(account: str, seed: int) -> None:
    import random

    digits = "".join(str(int(c, 36)) for c in f"ABNA{account}NL00")
    iban = f"NL{98 - int(digits) % 97:02d}ABNA{account}"
    assert normalise_iban(display_iban(random.Random(seed), iban)) == iban
    broken = iban[:-1] + str((int(iban[-1]) + 1) % 10)
    with pytest.raises(ValueError):
        normalise_iban(broken)


@given(
    st.integers(1000, 9999),
    st.text(alphabet="ABCDEFGHJKLMNPRTUVWXYZ", min_size=2, max_size=2),
    st.sampled_from(["", " ", "  "]),
    st.booleans(),
)
def test_postcodes_become_four_digits_two_capitals(
    number: int, letters: str, space: str, lower: bool
) -> None:
    written = f"{number}{space}{letters.lower() if lower else letters}"
    if letters in {"SA", "SD", "SS"}:
        with pytest.raises(ValueError):
            normalise_postcode(written)
        return
    assert normalise_postcode(written) == f"{number}{letters}"
    assert normalise_postcode(normalise_postcode(written)) == f"{number}{letters}"


@pytest.mark.parametrize("bad", ["0123AB", "12345", "ABCD12", "1234 A"])
def test_impossible_postcodes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        normalise_postcode(bad)


# Latin letters with diacritics, as in Dutch and Eastern-European names. Excluded: letters whose
# upper case does not round-trip (Turkish dotless i, long s, sharp s) — a known limit of case folding.
names = st.text(
    alphabet=st.characters(
        min_codepoint=0x41, max_codepoint=0x17E, categories=("Lu", "Ll"), exclude_characters="ŉßıſ"
    ),
    min_size=1,
    max_size=12,
)


@given(st.lists(names, min_size=1, max_size=4), st.sampled_from([" ", "  ", "\t"]))
def test_name_whitespace_and_case_are_normalised_idempotently(parts: list[str], gap: str) -> None:
    written = gap + gap.join(p.upper() for p in parts) + gap
    once = normalise_person_name(written)
    assert normalise_person_name(once) == once
    assert "  " not in once and once == once.strip()
    assert fold_name(once) == fold_name(gap.join(parts))


def test_names_keep_diacritics_and_fold_them_for_comparison() -> None:
    assert normalise_person_name("  ȘTEFAN   popescu ") == "Ștefan Popescu"
    assert normalise_person_name("jan DE vries") == "Jan de Vries"
    assert fold_name("Ștefan Wiśniewski") == fold_name("Stefan Wisniewski") == "stefan wisniewski"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_in_every_supported_form_agree(day: dt.date) -> None:
    forms = [
        day.isoformat(),
        day.strftime("%d-%m-%Y"),
        f"{day.day}/{day.month}/{day.year}",
        day.strftime("%d.%m.%Y"),
        day.strftime("%Y%m%d"),
        day.isoformat() + "T10:11:12",
    ]
    assert {normalise_date(f) for f in forms} == {day}


@pytest.mark.parametrize("bad", ["31-02-2024", "2024-13-01", "gisteren", "12/2024"])
def test_bad_dates_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        normalise_date(bad)


def test_dutch_month_names_and_decimal_commas() -> None:
    assert normalise_date("3 maart 2024") == dt.date(2024, 3, 3)
    assert normalise_float("1.234,50") == 1234.5
    assert normalise_float("12,5") == 12.5
