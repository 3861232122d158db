"""Small, pure normalisers, one per value type. Each returns the canonical form or raises
`ValueError` with a short reason (the caller adds file, line and field).

Results are cached: agency exports repeat the same phones, IBANs and postcodes many times, and
parsing a phone number is the most expensive step of an ingest.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

DEFAULT_REGION = "NL"
_CACHE = 1 << 18

_SPACES = re.compile(r"\s+")
_PHONE_JUNK = re.compile(r"[\s\-./()]+")


# Dutch mobile numbers (06-1 … 06-5, 06-8) are most of what exports hold; they are checked
# here without the full phonenumbers parse, which costs ~70 µs a number.
_NL_MOBILE = re.compile(r"^(?:\+31|0)6([1-58]\d{7})$")


def normalise_phone(value: str, region: str = DEFAULT_REGION) -> str:
    """Phone number to E.164 (`06-12345678` → `+31612345678`); default region NL."""
    compact = _PHONE_JUNK.sub("", value)
    if not compact:
        raise ValueError("empty phone number")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    try:
        return _normalise_compact_phone(compact, region)
    except ValueError:
        raise ValueError(f"invalid phone number {value!r}") from None


@lru_cache(maxsize=_CACHE)
def _normalise_compact_phone(compact: str, region: str) -> str:
    # Cached on the compact form, so every way of writing one number shares an entry.
    if region == DEFAULT_REGION and (match := _NL_MOBILE.match(compact)):
        return "+316" + match.group(1)
    try:
        parsed = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(compact) from exc
    if not phonenumbers.is_possible_number(parsed) or not phonenumbers.is_valid_number(parsed):
        raise ValueError(compact)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_iban(value: str) -> str:
    """IBAN in compact upper case, checksum verified (`nl91 abna 0417 1643 00` → `NL91ABNA…`)."""
    try:
        return _normalise_compact_iban(value.replace(" ", "").upper())
    except ValueError:
        raise ValueError(f"invalid IBAN {value!r}") from None


# Dutch IBANs are most of what exports hold. python-stdnum's validate costs ~100 µs (a database
# look-up per call); for NL it checks exactly this layout (no country module) and mod 97 = 1.
_NL_IBAN = re.compile(r"^NL[0-9]{2}[A-Z]{4}[0-9]{10}$")
_IBAN_DIGITS = {ord(c): str(i) for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


@lru_cache(maxsize=_CACHE)
def _normalise_compact_iban(compact: str) -> str:
    if _NL_IBAN.match(compact):
        if int((compact[4:] + compact[:4]).translate(_IBAN_DIGITS)) % 97 != 1:
            raise ValueError(compact)
        return compact
    try:
        return str(stdnum_iban.validate(compact))
    except ValidationError as exc:
        raise ValueError(compact) from exc


_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s*([A-Za-z]{2})$")


@lru_cache(maxsize=_CACHE)
def normalise_postcode(value: str) -> str:
    """Dutch postcode as `1234AB` (SA, SD and SS are never issued)."""
    match = _POSTCODE.match(value.strip())
    if match is None:
        raise ValueError(f"invalid Dutch postcode {value!r}")
    letters = match.group(2).upper()
    if letters in {"SA", "SD", "SS"}:
        raise ValueError(f"invalid Dutch postcode {value!r} (letters {letters} are not issued)")
    return match.group(1) + letters


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def normalise_email(value: str) -> str:
    email = value.strip().lower()
    if not _EMAIL.match(email):
        raise ValueError(f"invalid e-mail address {value!r}")
    return email


_PLATE = re.compile(r"[^A-Z0-9]")


def normalise_plate(value: str) -> str:
    plate = _PLATE.sub("", value.upper())
    if not 4 <= len(plate) <= 8:
        raise ValueError(f"invalid licence plate {value!r}")
    return plate


# Dutch name particles stay lower case inside a name ("Jan van der Berg").
_PARTICLES = frozenset(
    {"van", "der", "den", "de", "het", "ter", "ten", "te", "op", "in", "'t", "la", "le", "du"}
)


def _cap(word: str) -> str:
    # Capitalise each part of hyphenated and apostrophe names: "o'brien-smith" → "O'Brien-Smith".
    return "-".join(
        "'".join(p[:1].upper() + p[1:] for p in part.split("'")) for part in word.split("-")
    )


@lru_cache(maxsize=_CACHE)
def normalise_person_name(value: str) -> str:
    """Collapse whitespace and fix case; diacritics kept (` JAN  de VRIES` → `Jan de Vries`)."""
    words = _SPACES.sub(" ", value).strip().split(" ")
    if not words or words == [""]:
        raise ValueError("empty name")
    out = []
    for index, word in enumerate(words):
        lower = word.lower()
        if index > 0 and index < len(words) - 1 and lower in _PARTICLES:
            out.append(lower)
        else:
            out.append(_cap(lower))
    return " ".join(out)


def fold_name(value: str) -> str:
    """Comparison key for names: no diacritics, lower case, single spaces (`Jürgen` → `jurgen`)."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


_MONTHS = {
    "jan": 1,
    "januari": 1,
    "january": 1,
    "feb": 2,
    "februari": 2,
    "february": 2,
    "mrt": 3,
    "maart": 3,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "mei": 5,
    "may": 5,
    "jun": 6,
    "juni": 6,
    "june": 6,
    "jul": 7,
    "juli": 7,
    "july": 7,
    "aug": 8,
    "augustus": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "okt": 10,
    "oktober": 10,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YMD_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WORDY = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})$")


@lru_cache(maxsize=_CACHE)
def normalise_date(value: str) -> dt.date:
    """Dates in the forms Dutch exports use. Day-month order is Dutch (`03-04-2024` is 3 April).

    Accepted: `2024-04-03`, `2024-04-03T10:00:00`, `03-04-2024`, `3/4/2024`, `03.04.2024`,
    `2024/04/03`, `20240403`, `3 april 2024`, `3 apr 2024`.
    """
    text = value.strip()
    year = month = day = 0
    if m := _ISO.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _DMY.match(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif (m := _YMD_SLASH.match(text)) or (m := _COMPACT.match(text)):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif (m := _WORDY.match(text)) and m[2].lower() in _MONTHS:
        day, month, year = int(m[1]), _MONTHS[m[2].lower()], int(m[3])
    else:
        raise ValueError(f"unparsable date {value!r}")
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"impossible date {value!r}") from exc


def normalise_region(value: str, regions: tuple[str, ...]) -> str:
    """Police regional unit by name, forgiving case, spaces and hyphens."""
    key = re.sub(r"[\s\-]+", "", value).casefold()
    for region in regions:
        if re.sub(r"[\s\-]+", "", region).casefold() == key:
            return region
    raise ValueError(f"unknown police region {value!r}")


_TRUE = {"1", "true", "yes", "ja", "j", "y", "waar"}
_FALSE = {"0", "false", "no", "nee", "n", "onwaar"}


def normalise_boolean(value: str) -> bool:
    key = value.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"not a yes/no value {value!r}")


def normalise_integer(value: str) -> int:
    try:
        return int(value.strip().replace("_", ""))
    except ValueError as exc:
        raise ValueError(f"not a whole number {value!r}") from exc


def normalise_float(value: str) -> float:
    text = value.strip().replace("€", "").replace(" ", "")
    # Dutch decimal comma: "1.234,50" → 1234.50; a lone comma is a decimal comma.
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(text)
    except ValueError as exc:
        raise ValueError(f"not a number {value!r}") from exc


def normalise_text(value: str) -> str:
    return value.strip()


def normalise_string(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


NORMALISERS: dict[str, Callable[[str], object]] = {
    "string": normalise_string,
    "text": normalise_text,
    "integer": normalise_integer,
    "float": normalise_float,
    "boolean": normalise_boolean,
    "date": normalise_date,
    "person_name": normalise_person_name,
    "phone": normalise_phone,
    "email": normalise_email,
    "iban": normalise_iban,
    "postcode": normalise_postcode,
    "plate": normalise_plate,
}
