"""Phone, e-mail and fact extraction on a corpus of the ways ads obscure contact details."""

from __future__ import annotations

import pytest

from ingest.crawl.extract import find_age, find_emails, find_languages, find_phones, find_price

NUMBER = "+31612345678"

OBSCURED = [
    "06-12 34 56 78",
    "O6 1234 5678",
    "o6-l2345678",
    "nul zes een twee drie vier vijf zes zeven acht",
    "Nul-Zes 12 34 56 78",
    "nulzes-12345678",
    "zero six one two 3456 78",
    "06🔥12🔥34🔥56🔥78",
    "06💋12💋34💋56💋78",
    "0️⃣6️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣",
    "06\u200b1234\u200b5678",
    "06 punt 12 punt 34 punt 56 punt 78",
    "06x12x34x56x78",
    "06-1234.5678",
    "0 6 1 2 3 4 5 6 7 8",
    "06*12*34*56*78",
]
PLAIN = [
    "0612345678",
    "06-12345678",
    "06 1234 5678",
    "(06) 12345678",
    "+31 6 12 34 56 78",
    "+31612345678",
    "0031612345678",
    "+31 (0)6 1234 5678",
]


@pytest.mark.parametrize("written", OBSCURED)
def test_obscured_numbers_are_found_and_flagged(written: str) -> None:
    hits = find_phones(f"Lieve Anna (23) in Utrecht. Bel of app: {written}. Tot snel!")
    assert [h.number for h in hits] == [NUMBER]
    assert hits[0].obscured, f"{written!r} should count as obscured"
    assert hits[0].how


@pytest.mark.parametrize("written", PLAIN)
def test_plain_numbers_are_found_and_not_flagged(written: str) -> None:
    hits = find_phones(f"Bel {written} voor een afspraak")
    assert [h.number for h in hits] == [NUMBER]
    assert not hits[0].obscured, f"{written!r} is a normal way to write a number"


def test_ages_prices_and_other_numbers_are_not_phones() -> None:
    assert find_phones("Anna, 23 jaar, € 150,- per uur, 1.65 m, 24/7 in 3511 AB Utrecht") == []


def test_several_numbers_and_a_foreign_one() -> None:
    hits = find_phones("Whatsapp 0040 732 674 369 of bel nul zes 87654321; ook 06-12345678")
    assert [h.number for h in hits] == ["+40732674369", "+31687654321", NUMBER]


def test_words_that_are_not_numbers_end_a_run() -> None:
    # "een" is also the Dutch article; a lone article must not start a phone number.
    assert find_phones("een leuke meid, bel 06 en dan 12345678 niet") == []


def test_emails_plain_and_obscured() -> None:
    text = "Mail anna.b [at] voorbeeld [dot] nl of lisa(at)mail(punt)com of x_y@Example.ORG"
    assert find_emails(text) == ["anna.b@voorbeeld.nl", "lisa@mail.com", "x_y@example.org"]


def test_age_price_languages() -> None:
    assert find_age("Hi, I am Lisa, 21 years, new in town") == 21
    assert find_age("Lieve Mark (25) verwent je") == 25
    assert find_age("Leeftijd: 19") == 19
    assert find_age("kamer 12, 150 euro") is None
    assert find_price("€ 150,- per uur") == 150.0
    assert find_price("Only 200 euro") == 200.0
    assert find_languages("Ik spreek Engels, Duits en Roemeens.") == [
        "english",
        "german",
        "romanian",
    ]
    assert find_languages("Languages: english, russian") == ["english", "russian"]
