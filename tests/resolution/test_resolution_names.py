"""Name variants Dutch and Eastern-European records show, and what must not match."""

from __future__ import annotations

import pytest

from analytics.resolution.names import blocking_tokens, name_similarity, name_tokens, phonetic


def sim(a: str, b: str) -> float:
    return name_similarity(name_tokens(a), name_tokens(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jan de Vries", "J. de Vries"),  # initial
        ("Jan de Vries", "JAN DE VRIES"),  # capitals
        ("Jan de Vries", "Vries, Jan"),  # surname first, comma
        ("Ion Popescu", "Popescu Ion"),  # token order
        ("Ștefan Ionescu", "Stefan Ionescu"),  # comma-below lost
        ("Ştefan Ionescu", "Ștefan Ionescu"),  # cedilla vs comma below
        ("Łukasz Wiśniewski", "Lukasz Wisniewski"),  # ł is not a diacritic to NFKD
        ("Zsófia Kovács", "Zsofia Kovacs"),
        ("Gábor Tóth", "Gabor Toth"),
        ("Иван Петров", "Ivan Petrov"),  # Cyrillic
        ("Dimitar Georgiev", "Dimitar Georgieff"),  # -ev / -eff transliteration
        ("Krzysztof Kowalski", "Krzysztof Kowalsky"),  # -ski / -sky
        ("Joost van den Berg", "Joost van der Berg"),  # particle variants
        ("Henk Dijkstra", "Henk Dykstra"),  # ij / y
        ("Femke Hendriks", "Femke Hendirks"),  # typo: swapped letters
        ("Andreea Gheorghe", "Andreea Ghheorghe"),  # typo: doubled letter
        ("Łukasz Farkas", "?ukasz Farkas"),  # a letter the export could not encode
    ],
)
def test_variants_of_one_name_match(a: str, b: str) -> None:
    assert sim(a, b) >= 0.9, (a, b, sim(a, b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jan de Vries", "Piet de Vries"),
        ("Jan de Vries", "Jan Jansen"),
        ("Elena Popescu", "Irina Popa"),
        ("Blessing Okafor", "Joy Okafor"),
    ],
)
def test_different_people_do_not(a: str, b: str) -> None:
    assert sim(a, b) < 0.85, (a, b, sim(a, b))


def test_missing_first_name_is_weaker_than_a_full_match() -> None:
    assert sim("de Vries", "Jan de Vries") < sim("J. de Vries", "Jan de Vries")


def test_pseudonyms_match_only_when_equal() -> None:
    token = "ps_0123456789abcdef0123456789abcdef"
    assert sim(token, token) == 1.0
    assert sim(token, "ps_ffff456789abcdef0123456789abcdef") == 0.0
    assert blocking_tokens(name_tokens(token)) == [token]


def test_phonetic_keys_bring_spellings_together_for_blocking() -> None:
    assert phonetic("Wiśniewski") == phonetic("Visnievski")
    assert phonetic("Kowalski") == phonetic("Kovalsky")
    assert phonetic("Petrov") == phonetic("Petroff")
    assert phonetic("Dijkstra") == phonetic("Dykstra")
    assert phonetic("Jansen") != phonetic("Bakker")
