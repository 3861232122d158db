"""Synthetic places, phone numbers and bank accounts with valid formats (none real)."""

from __future__ import annotations

import random

# city: (postcode from, postcode to, police region)
CITIES: dict[str, tuple[int, int, str]] = {
    "Amsterdam": (1011, 1109, "Amsterdam"),
    "Haarlem": (2011, 2037, "Noord-Holland"),
    "Zaandam": (1501, 1509, "Noord-Holland"),
    "Alkmaar": (1811, 1827, "Noord-Holland"),
    "Den Haag": (2491, 2597, "Den Haag"),
    "Leiden": (2311, 2334, "Den Haag"),
    "Rotterdam": (3011, 3089, "Rotterdam"),
    "Dordrecht": (3311, 3329, "Rotterdam"),
    "Utrecht": (3511, 3585, "Midden-Nederland"),
    "Amersfoort": (3811, 3829, "Midden-Nederland"),
    "Groningen": (9711, 9747, "Noord-Nederland"),
    "Leeuwarden": (8911, 8939, "Noord-Nederland"),
    "Zwolle": (8011, 8046, "Oost-Nederland"),
    "Enschede": (7511, 7548, "Oost-Nederland"),
    "Arnhem": (6811, 6846, "Oost-Nederland"),
    "Nijmegen": (6511, 6546, "Oost-Nederland"),
    "Eindhoven": (5611, 5658, "Oost-Brabant"),
    "'s-Hertogenbosch": (5211, 5237, "Oost-Brabant"),
    "Tilburg": (5011, 5049, "Zeeland-West-Brabant"),
    "Breda": (4811, 4839, "Zeeland-West-Brabant"),
    "Middelburg": (4331, 4338, "Zeeland-West-Brabant"),
    "Maastricht": (6211, 6229, "Limburg"),
    "Venlo": (5911, 5928, "Limburg"),
    "Heerlen": (6411, 6422, "Limburg"),
}
CITIES_BY_REGION: dict[str, list[str]] = {}
for _city, (_a, _b, _region) in CITIES.items():
    CITIES_BY_REGION.setdefault(_region, []).append(_city)

STREETS = [
    "Kerkstraat",
    "Dorpsstraat",
    "Molenweg",
    "Stationsweg",
    "Schoolstraat",
    "Nieuwstraat",
    "Julianastraat",
    "Beatrixlaan",
    "Industrieweg",
    "Havenstraat",
    "Marktplein",
    "Lindelaan",
    "Eikenlaan",
    "Parallelweg",
    "Spoorlaan",
]
_LETTERS = "ABCDEFGHJKLMNPRTVWXZ"
BANKS = ("ABNA", "INGB", "RABO", "SNSB", "TRIO", "BUNQ", "KNAB", "ASNB")


def address(rng: random.Random, city: str) -> dict[str, str]:
    low, high, region = CITIES[city]
    letters = rng.choice(_LETTERS) + rng.choice(_LETTERS)
    return {
        "street": rng.choice(STREETS),
        "house_number": str(rng.randint(1, 220)),
        "postcode": f"{rng.randint(low, high)}{letters}",
        "city": city,
        "region": region,
    }


def mobile(rng: random.Random, country: str = "NL") -> str:
    """A valid mobile number in E.164."""
    if country == "RO":
        return f"+407{rng.randint(2, 7)}{rng.randint(0, 9_999_999):07d}"
    if country == "BG":
        return f"+3598{rng.randint(7, 9)}{rng.randint(0, 9_999_999):07d}"
    if country == "PL":
        return f"+48{rng.choice(('50', '51', '53', '57', '60', '66', '69', '72', '78', '88'))}" + (
            f"{rng.randint(0, 9_999_999):07d}"
        )
    if country == "NG":
        return f"+23480{rng.choice('36')}{rng.randint(0, 9_999_999):07d}"
    if country == "HU":
        return f"+3620{rng.randint(0, 9_999_999):07d}"
    # 06-1 … 06-5 and 06-8 are mobile ranges; 06-6 (pagers), 06-7 and 06-9 are not.
    return f"+316{rng.choice('123458')}{rng.randint(0, 9_999_999):07d}"


def display_phone(rng: random.Random, e164: str) -> str:
    """The many ways an export writes one number."""
    if not e164.startswith("+316"):
        return e164 if rng.random() < 0.7 else "00" + e164[1:]
    local = "06" + e164[4:]
    style = rng.randrange(7)
    if style == 0:
        return local
    if style == 1:
        return f"06-{e164[4:]}"
    if style == 2:
        return f"+31 6 {e164[4:6]} {e164[6:8]} {e164[8:10]} {e164[10:]}"
    if style == 3:
        return "0031" + e164[3:]
    if style == 4:
        return f"06 {e164[4:8]} {e164[8:]}"
    if style == 5:
        return f"(06) {e164[4:]}"
    return e164


def iban(rng: random.Random) -> str:
    bank = rng.choice(BANKS)
    account = f"{rng.randint(0, 9_999_999_999):010d}"
    digits = "".join(str(int(c, 36)) for c in f"{bank}{account}NL00")
    check = 98 - int(digits) % 97
    return f"NL{check:02d}{bank}{account}"


def display_iban(rng: random.Random, value: str) -> str:
    if rng.random() < 0.5:
        return value
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4)).lower()
