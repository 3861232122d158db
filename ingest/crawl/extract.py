"""Pull contact details and stated facts out of ad text, including obscured phone numbers.

Ads hide phone numbers from search on purpose: "06-12 34 56 78", "O6 1234 5678" (letter O),
"nul zes een twee …" (number words), "06🔥12🔥34🔥56🔥78", "06 punt 12 …". The phone scanner reads
the text as a stream of digit symbols — digits, number words (Dutch and English), letters that
stand for digits next to digits — joined by separators (spaces, punctuation, emoji, filler
words), then validates every candidate with the project's phone normaliser. A phone written
with words, letters, emoji or mixed separators is *obscured*; the research on trafficking ads
finds obscured numbers more common in trafficking cases (Lugo-Graulich et al. 2024).

>>> [p.number for p in find_phones("Bel: nul zes een twee drie vier vijf zes zeven acht")]
['+31612345678']
>>> find_phones("O6 1234 5678")[0].obscured
True
>>> find_emails("mail lisa [at] voorbeeld [dot] nl")
['lisa@voorbeeld.nl']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.normalise import fold_name, normalise_phone

NUMBER_WORDS = {
    # Dutch
    "nul": "0", "een": "1", "één": "1", "eén": "1", "twee": "2", "drie": "3", "vier": "4",
    "vijf": "5", "zes": "6", "zeven": "7", "acht": "8", "negen": "9",
    # English
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
LETTER_DIGITS = {"o": "0", "O": "0", "l": "1", "I": "1", "i": "1", "B": "8", "S": "5"}
FILLER_WORDS = frozenset(
    {"punt", "streep", "streepje", "dash", "dot", "spatie", "space", "komma", "en", "and", "x"}
)
_TOKEN = re.compile(r"\d+|[^\W\d_]+|\s+|.", re.UNICODE)
_STANDARD_SEPARATORS = frozenset(" -./()+")
_MAX_GAP = 3  # separator tokens in a row before a run of digits ends


@dataclass(frozen=True, slots=True)
class PhoneHit:
    number: str  # E.164
    raw: str  # as written
    obscured: bool
    how: tuple[str, ...] = ()  # why it counts as obscured


@dataclass
class _Run:
    digits: list[str] = field(default_factory=list)
    start: int = -1
    end: int = -1
    positions: list[tuple[int, int]] = field(default_factory=list)  # per digit: token span
    gap: int = 0

    def add(self, digits: str, start: int, end: int) -> None:
        if not self.digits:
            self.start = start
        self.digits.append(digits)
        self.positions.extend([(start, end)] * len(digits))
        self.end = end
        self.gap = 0


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) in {"So", "Sk", "Cs"} or ord(ch) >= 0x1F000


@lru_cache(maxsize=4096)
def _word_digits(word: str) -> str | None:
    """Digits spelt by a word or a run of number words ("nulzes" → "06"), else None."""
    lowered = word.lower()
    if lowered in NUMBER_WORDS:
        return NUMBER_WORDS[lowered]
    out = ""
    rest = lowered
    while rest:
        for size in (6, 5, 4, 3, 2):
            head = rest[:size]
            if head in NUMBER_WORDS and head != "oh":
                out += NUMBER_WORDS[head]
                rest = rest[size:]
                break
        else:
            return None
    return out or None


_PHONE_IN_DIGITS = re.compile(
    r"(?:(?:\+|00)31)?0?6\d{8}"  # Dutch mobile, national or international
    r"|(?:\+|00)(?:32|33|34|36|39|40|44|48|49|234|359|380|420)\d{8,10}"  # abroad
    r"|0[1-57-9]\d{8}"  # Dutch landline
)


def _how_obscured(raw: str) -> tuple[str, ...]:
    how: set[str] = set()
    letters = [w for w in re.findall(r"[^\W\d_]+", raw)]
    if any(_word_digits(w) is not None and len(w) > 2 for w in letters):
        how.add("number words")
    if any(len(w) <= 2 and all(c in LETTER_DIGITS for c in w) for w in letters):
        how.add("letters for digits")
    if any(w.lower() in FILLER_WORDS for w in letters):
        how.add("words between digits")
    if any(_is_emoji(c) or unicodedata.category(c) in {"Mn", "Me", "Cf"} for c in raw) or any(
        c in "*_|~•·,:;" for c in raw
    ):
        how.add("emoji or symbols between digits")
    if sum(1 for g in re.findall(r"\d+", raw) if len(g) == 1) >= 4:
        how.add("digits spaced apart")
    kinds = {" " if c.isspace() else c for c in raw if c.isspace() or c in "-./"}
    if len(kinds) > 1:
        how.add("mixed separators")
    return tuple(sorted(how))


def _phones_in_run(run: _Run, text: str) -> list[PhoneHit]:
    digits = "".join(run.digits)
    if len(digits.lstrip("+")) < 9:
        return []
    hits: list[PhoneHit] = []
    for match in _PHONE_IN_DIGITS.finditer(digits):
        candidate = match.group(0)
        if candidate.startswith("6"):
            candidate = "0" + candidate
        try:
            number = normalise_phone(candidate)
        except ValueError:
            continue
        raw = text[run.positions[match.start()][0] : run.positions[match.end() - 1][1]].strip()
        how = _how_obscured(raw)
        hits.append(PhoneHit(number, raw, bool(how), how))
    return hits


def find_phones(text: str) -> list[PhoneHit]:
    """Every phone number in `text`, in order of appearance, each once."""
    hits: list[PhoneHit] = []
    run = _Run()
    tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]

    def close() -> None:
        nonlocal run
        if run.digits:
            hits.extend(_phones_in_run(run, text))
        run = _Run()

    for k, (tok, start, end) in enumerate(tokens):
        prev_digit = bool(run.digits) and run.gap <= _MAX_GAP
        nxt = tokens[k + 1][0] if k + 1 < len(tokens) else ""
        if tok.isdigit() and tok.isascii():
            run.add(tok, start, end)
        elif tok == "+" and nxt[:1].isdigit():
            if run.digits:
                close()
            run.add("+", start, end)
        elif tok.isalpha():
            spelt = _word_digits(tok)
            if spelt is not None and (prev_digit or len(tok) > 2 or _word_digits(nxt) is not None):
                run.add(spelt, start, end)
            elif (
                len(tok) <= 2
                and all(c in LETTER_DIGITS for c in tok)
                and (prev_digit or nxt[:1].isdigit())
            ):
                run.add("".join(LETTER_DIGITS[c] for c in tok), start, end)
            elif run.digits and tok.lower() in FILLER_WORDS:
                run.gap += 1
            else:
                close()
        elif tok.isspace() or tok in _STANDARD_SEPARATORS:
            if run.digits:
                run.gap += 1
                if run.gap > _MAX_GAP:
                    close()
        elif run.digits and unicodedata.category(tok) in {"Mn", "Me", "Cf"}:
            continue  # keycap marks, variation selectors, zero-width spaces
        elif run.digits and (_is_emoji(tok) or tok in "*_|~•·,:;"):
            run.gap += 1
            if run.gap > _MAX_GAP:
                close()
        else:
            close()
    close()
    seen: set[str] = set()
    unique: list[PhoneHit] = []
    for hit in hits:
        if hit.number not in seen:
            seen.add(hit.number)
            unique.append(hit)
    return unique


_AT = r"(?:@|\s*[\[\(\{]\s*(?:at|apenstaartje)\s*[\]\)\}]\s*|\s+(?:at|apenstaartje)\s+)"
_DOT = r"(?:\.|\s*[\[\(\{]\s*(?:dot|punt)\s*[\]\)\}]\s*|\s+(?:dot|punt)\s+)"
_EMAIL = re.compile(
    rf"([A-Za-z0-9._%+-]+){_AT}([A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*){_DOT}([A-Za-z]{{2,6}})\b",
    re.IGNORECASE,
)
_DOT_SPLIT = re.compile(_DOT, re.IGNORECASE)


def find_emails(text: str) -> list[str]:
    """E-mail addresses, also written as "naam [at] domein [dot] nl"; lower case, each once."""
    out: list[str] = []
    for m in _EMAIL.finditer(text):
        domain = ".".join(_DOT_SPLIT.split(m.group(2)))
        address = f"{m.group(1)}@{domain}.{m.group(3)}".lower()
        if address not in out:
            out.append(address)
    return out


_AGE = re.compile(
    r"(?:\((\d{2})\)|\b(\d{2})\s*(?:jaar|jr|years?|yrs?|y\.?o\.?|ans|lat)\b"
    r"|(?:leeftijd|age|alter)\s*:?\s*(\d{2})\b)",
    re.IGNORECASE,
)


def find_age(text: str) -> int | None:
    """The stated age (18–70) if the text states one."""
    for m in _AGE.finditer(text):
        value = int(next(g for g in m.groups() if g))
        if 18 <= value <= 70:
            return value
        if 10 <= value < 18:
            return value  # a stated minor must never be dropped silently
    return None


_PRICE = re.compile(
    r"(?:€|eur(?:o)?)\s*(\d{2,4})(?:[.,]-|[.,]\d{2})?|\b(\d{2,4})\s*(?:€|euro|eur)\b|\b(\d{2,4}),-",
    re.IGNORECASE,
)


def find_price(text: str) -> float | None:
    for m in _PRICE.finditer(text):
        value = float(next(g for g in m.groups() if g))
        if 20 <= value <= 5000:
            return value
    return None


LANGUAGES = {
    "dutch": ("nederlands", "dutch", "hollands"),
    "english": ("engels", "english"),
    "german": ("duits", "german", "deutsch"),
    "french": ("frans", "french", "francais"),
    "spanish": ("spaans", "spanish", "espanol"),
    "italian": ("italiaans", "italian"),
    "romanian": ("roemeens", "romanian", "romana"),
    "russian": ("russisch", "russian"),
    "polish": ("pools", "polish", "polski"),
    "bulgarian": ("bulgaars", "bulgarian"),
    "hungarian": ("hongaars", "hungarian"),
}
_SPEAKS = re.compile(
    r"(?:spreek|spreekt|talen|languages?|i speak|speak|sprachen)\s*:?\s*([^.!?\n]{0,80})",
    re.IGNORECASE,
)


def find_languages(text: str) -> list[str]:
    """Languages the ad says are spoken ("ik spreek Engels en Duits")."""
    found: list[str] = []
    for m in _SPEAKS.finditer(fold_name(text)):
        words = set(re.findall(r"[a-z]+", m.group(1)))
        for language, names in LANGUAGES.items():
            if words.intersection(names) and language not in found:
                found.append(language)
    return found


def find_city(text: str, cities: tuple[str, ...]) -> str | None:
    """The first known city named in the text (cities given in display form)."""
    folded = f" {fold_name(text)} "
    best: tuple[int, str] | None = None
    for city in cities:
        pos = folded.find(f" {fold_name(city)}")
        ends_word = pos >= 0 and folded[pos + 1 + len(fold_name(city))] in " .,!?;:)"
        if ends_word and (best is None or pos < best[0]):
            best = (pos, city)
    return None if best is None else best[1]
