"""The synthetic world: true people, planted trafficking networks and background noise.

Agency exports (exports.py) are views of this world, each with its own gaps and dirt, and the
ground truth says who is who. Everything is drawn from one seeded `random.Random`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from ingest.synth.names import make_name
from ingest.synth.places import CITIES, CITIES_BY_REGION, address, iban, mobile

PHENOMENA = ("sexual_exploitation", "labour_exploitation", "criminal_exploitation")
PHENOMENON_WEIGHTS = (0.5, 0.35, 0.15)
NATIONALITY_OF_VICTIMS = ("romanian", "bulgarian", "polish", "hungarian", "nigerian", "dutch")
NATIONALITY_WEIGHTS = (0.25, 0.2, 0.15, 0.1, 0.15, 0.15)
REGIONS = tuple(CITIES_BY_REGION)


@dataclass
class Person:
    tid: str
    first: str
    last: str
    nationality: str
    birth: dt.date
    phone: str
    home: dict[str, str]
    iban: str | None = None
    role: str | None = None  # network role, or offender / civilian / sex_worker
    network: str | None = None
    work_phone: str | None = None  # a phone used to run ads (controllers)


@dataclass
class Company:
    kvk: str
    name: str
    address: dict[str, str]
    director: str  # tid
    sector: str
    network: str | None = None


@dataclass
class Network:
    nid: str
    phenomenon: str
    region: str
    members: dict[str, str]  # tid -> role
    houses: list[dict[str, str]] = field(default_factory=list)  # where victims are housed
    landlord: str | None = None
    company: Company | None = None
    controllers: list[str] = field(default_factory=list)  # tids whose work phone is in ads

    @property
    def organiser(self) -> str:
        return next(t for t, r in self.members.items() if r == "organiser")

    def with_role(self, *roles: str) -> list[str]:
        return [t for t, r in self.members.items() if r in roles]


@dataclass
class World:
    start: dt.date
    days: int
    people: dict[str, Person]
    networks: list[Network]
    companies: list[Company]


def role_plan(size: int) -> list[str]:
    """Roles of a network of `size` people; about 55% victims, one organiser."""
    roles = ["organiser"]
    if size >= 8:
        roles += ["lieutenant"] * max(1, round(size * 0.05))
    roles += ["recruiter"] * max(1, round(size * 0.07))
    roles += ["transporter"] * round(size * 0.04)
    roles += ["enforcer"] * round(size * 0.04)
    if size >= 6:
        roles += ["money_mule"] * max(1, round(size * 0.05))
    if size >= 8:
        roles += ["facilitator"] * max(1, round(size * 0.02))
    roles += ["victim"] * max(1, size - len(roles))
    return roles[:size] if len(roles) > size else roles


def network_sizes(rng: random.Random, planted_people: int) -> list[int]:
    sizes: list[int] = []
    while sum(sizes) < planted_people:
        size = int(math.exp(rng.gauss(math.log(18), 0.9)))
        sizes.append(min(300, max(3, size)))
    return sizes


class WorldBuilder:
    def __init__(self, seed: int, scale: int, start: dt.date, months: int) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.start = start
        self.days = months * 30
        self.people: dict[str, Person] = {}
        self.companies: list[Company] = []
        self._next_kvk = 10_000_000

    def date(self) -> dt.date:
        return self.start + dt.timedelta(days=self.rng.randrange(self.days))

    def person(self, nationality: str, city: str, role: str | None, network: str | None) -> Person:
        rng = self.rng
        first, last = make_name(rng, nationality)
        country = {
            "romanian": "RO",
            "bulgarian": "BG",
            "polish": "PL",
            "hungarian": "HU",
            "nigerian": "NG",
        }.get(nationality, "NL")
        age = rng.randint(18, 30) if role == "victim" else rng.randint(19, 64)
        birth = dt.date(self.start.year - age, rng.randint(1, 12), rng.randint(1, 28))
        # Victims often carry a Dutch prepaid number given to them.
        phone = mobile(rng, "NL" if role == "victim" and rng.random() < 0.6 else country)
        tid = f"T{len(self.people) + 1:07d}"
        person = Person(
            tid,
            first,
            last,
            nationality,
            birth,
            phone,
            address(rng, city),
            iban(rng),
            role,
            network,
        )
        self.people[tid] = person
        return person

    def company(self, city: str, director: str, sector: str, network: str | None) -> Company:
        self._next_kvk += self.rng.randint(1, 997)
        prefix = self.rng.choice(("Flex", "Euro", "Clean", "Agri", "Bouw", "Logi", "Top", "Prima"))
        suffix = self.rng.choice(("Services", "Uitzend B.V.", "Personeel", "Holding B.V.", "Groep"))
        company = Company(
            str(self._next_kvk),
            f"{prefix} {suffix}",
            address(self.rng, city),
            director,
            sector,
            network,
        )
        self.companies.append(company)
        return company

    def network(self, index: int, size: int) -> Network:
        rng = self.rng
        phenomenon = rng.choices(PHENOMENA, PHENOMENON_WEIGHTS)[0]
        region = rng.choice(REGIONS)
        cities = CITIES_BY_REGION[region]
        nid = f"N{index:03d}"
        members: dict[str, str] = {}
        boss_nationality = rng.choice(("dutch", "romanian", "bulgarian", "nigerian", "polish"))
        for role in role_plan(size):
            if role == "victim":
                nationality = rng.choices(NATIONALITY_OF_VICTIMS, NATIONALITY_WEIGHTS)[0]
            elif role in {"facilitator", "money_mule"}:
                nationality = rng.choice(("dutch", boss_nationality))
            else:
                nationality = boss_nationality
            person = self.person(nationality, rng.choice(cities), role, nid)
            members[person.tid] = role
        net = Network(nid, phenomenon, region, members)
        n_victims = len(net.with_role("victim"))
        net.houses = [address(rng, rng.choice(cities)) for _ in range(max(1, n_victims // 6))]
        facilitators = net.with_role("facilitator")
        net.landlord = facilitators[0] if facilitators else net.organiser
        for victim in net.with_role("victim"):
            self.people[victim].home = rng.choice(net.houses)
        lieutenants = net.with_role("lieutenant")
        net.controllers = lieutenants[:3] if lieutenants else [net.organiser]
        for tid in net.controllers:
            self.people[tid].work_phone = mobile(rng)
        if phenomenon == "labour_exploitation":
            director = facilitators[-1] if len(facilitators) > 1 else net.organiser
            net.company = self.company(rng.choice(cities), director, "uitzendbureau", nid)
        return net

    def build(self) -> World:
        rng = self.rng
        planted = max(3, int(self.scale * 0.3))
        networks = [self.network(i + 1, s) for i, s in enumerate(network_sizes(rng, planted))]
        remaining = max(0, self.scale - len(self.people))
        city_names = list(CITIES)
        n_offenders = int(remaining * 0.12)
        n_workers = int(remaining * 0.03)
        for _ in range(n_offenders):
            self.person(
                "dutch" if rng.random() < 0.7 else "polish",
                rng.choice(city_names),
                "offender",
                None,
            )
        for _ in range(n_workers):
            self.person(
                rng.choices(NATIONALITY_OF_VICTIMS, NATIONALITY_WEIGHTS)[0],
                rng.choice(city_names),
                "sex_worker",
                None,
            )
        civilians = remaining - n_offenders - n_workers
        for _ in range(civilians):
            nationality = "dutch" if rng.random() < 0.8 else rng.choice(NATIONALITY_OF_VICTIMS)
            self.person(nationality, rng.choice(city_names), "civilian", None)
        # Legitimate employers: one per ~40 civilians.
        directors = [p.tid for p in self.people.values() if p.role == "civilian"]
        for _ in range(max(2, civilians // 40)):
            self.company(
                rng.choice(city_names),
                rng.choice(directors),
                rng.choice(("schoonmaak", "land- en tuinbouw", "logistiek", "horeca")),
                None,
            )
        return World(self.start, self.days, self.people, networks, self.companies)


def build_world(seed: int, scale: int, start: dt.date, months: int) -> World:
    return WorldBuilder(seed, scale, start, months).build()
