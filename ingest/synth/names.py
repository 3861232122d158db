"""Synthetic names and the ways agencies misspell them. No real person is described."""

from __future__ import annotations

import random
import unicodedata

DUTCH_FIRST = [
    "Jan",
    "Piet",
    "Kees",
    "Henk",
    "Sander",
    "Thijs",
    "Daan",
    "Bram",
    "Lars",
    "Joost",
    "Ruben",
    "Niels",
    "Wouter",
    "Bas",
    "Stijn",
    "Jeroen",
    "Mark",
    "Tim",
    "Rick",
    "Koen",
    "Anna",
    "Sanne",
    "Lotte",
    "Femke",
    "Eva",
    "Iris",
    "Lisa",
    "Fleur",
    "Noor",
    "Sophie",
    "Emma",
    "Julia",
    "Marieke",
    "Esther",
    "Petra",
    "Ingrid",
    "Anouk",
    "Linda",
    "Maaike",
    "Roos",
]
DUTCH_LAST = [
    "de Vries",
    "Jansen",
    "de Jong",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "van der Meer",
    "van Leeuwen",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van der Heijden",
    "Willems",
    "Schouten",
    "van Beek",
    "Hoekstra",
    "Verhoeven",
    "Koster",
    "Prins",
    "Huisman",
    "Kuipers",
    "van Vliet",
    "Post",
    "Kuiper",
]
EAST_FIRST = [
    "Ștefan",
    "Andrei",
    "Mihai",
    "Ionuț",
    "Bogdan",
    "Georgi",
    "Dimitar",
    "Ivan",
    "Nikolai",
    "Krzysztof",
    "Paweł",
    "Tomasz",
    "Łukasz",
    "Gábor",
    "László",
    "Zoltán",
    "Elena",
    "Ioana",
    "Mariana",
    "Cristina",
    "Andreea",
    "Gergana",
    "Desislava",
    "Petya",
    "Katarzyna",
    "Agnieszka",
    "Małgorzata",
    "Zsófia",
    "Krisztina",
    "Anca",
    "Daria",
    "Nadia",
    "Irina",
    "Oksana",
    "Yulia",
]
EAST_LAST = [
    "Popescu",
    "Ionescu",
    "Dumitru",
    "Stan",
    "Gheorghe",
    "Munteanu",
    "Ivanov",
    "Petrov",
    "Georgiev",
    "Dimitrov",
    "Kowalski",
    "Nowak",
    "Wiśniewski",
    "Wójcik",
    "Kamiński",
    "Nagy",
    "Kovács",
    "Tóth",
    "Szabó",
    "Horváth",
    "Constantin",
    "Marinescu",
    "Stoyanov",
    "Todorov",
    "Zieliński",
    "Lewandowski",
    "Balogh",
    "Farkas",
    "Popa",
    "Radu",
]
WEST_AFRICAN_FIRST = [
    "Blessing",
    "Joy",
    "Precious",
    "Favour",
    "Gift",
    "Mercy",
    "Chinedu",
    "Emeka",
    "Osas",
    "Efe",
    "Ngozi",
]
WEST_AFRICAN_LAST = [
    "Okafor",
    "Eze",
    "Osagie",
    "Igbinosa",
    "Adeyemi",
    "Obi",
    "Nwosu",
    "Edo",
    "Uwaifo",
    "Ogbonna",
]

NATIONALITIES = {
    "dutch": ("NL", DUTCH_FIRST, DUTCH_LAST),
    "romanian": ("RO", EAST_FIRST[:6] + EAST_FIRST[17:22], EAST_LAST[:6] + EAST_LAST[20:22]),
    "bulgarian": ("BG", EAST_FIRST[5:8] + EAST_FIRST[22:25], EAST_LAST[6:10] + EAST_LAST[22:24]),
    "polish": ("PL", EAST_FIRST[8:12] + EAST_FIRST[25:28], EAST_LAST[10:15] + EAST_LAST[24:26]),
    "hungarian": ("HU", EAST_FIRST[12:15] + EAST_FIRST[28:30], EAST_LAST[15:20] + EAST_LAST[26:28]),
    "nigerian": ("NG", WEST_AFRICAN_FIRST, WEST_AFRICAN_LAST),
}


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ł", "l")


def make_name(rng: random.Random, nationality: str) -> tuple[str, str]:
    _, firsts, lasts = NATIONALITIES[nationality]
    return rng.choice(firsts), rng.choice(lasts)


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:  # swap two letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:  # drop a letter
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # double a letter


def variant(rng: random.Random, first: str, last: str) -> tuple[str, str]:
    """How another agency writes the same name: typo, no diacritics, initial, case."""
    roll = rng.random()
    if roll < 0.25:
        return strip_diacritics(first), strip_diacritics(last)
    if roll < 0.45:
        return _typo(rng, first), last
    if roll < 0.6:
        parts = last.split(" ")
        parts[-1] = _typo(rng, parts[-1])
        return first, " ".join(parts)
    if roll < 0.72:
        return first[0] + ".", last
    if roll < 0.85:
        return first.upper(), last.upper()
    return first, last
