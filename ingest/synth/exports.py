"""Each agency's export of the synthetic world, in that agency's own layout and with its dirt.

Layouts differ on purpose (delimiters, encodings, column names, formats), as real exports do:
police cp1252 with semicolons, the Labour Inspectorate UTF-8 with BOM, municipalities and ad
crawls JSON Lines, financial intelligence Dutch decimal commas.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.synth.names import strip_diacritics, variant
from ingest.synth.places import CITIES, CITIES_BY_REGION, display_iban, display_phone
from ingest.synth.world import Network, Person, World

Row = dict[str, Any]
PHENOMENON_CODES = {
    "sexual_exploitation": "SU",
    "labour_exploitation": "AU",
    "criminal_exploitation": "CU",
    "other": "OV",
}
AD_TEMPLATES = (
    "Nieuw! Lieve {name} ({age}) verwent je in {city}. Discreet en professioneel. Bel of app.",
    "Hi, I am {name}, {age} years, sweet and young girl, new in {city}. Only outcall. Call me!",
    "Sexy {name} uit {origin}, {age} jaar, full service, 24/7 beschikbaar in {city}.",
    "{name} {age}, betrouwbaar en hygienisch, privé ontvangst in {city}. Geen SMS.",
)
INDEPENDENT_TEMPLATES = (
    "Zelfstandige escort {name}, {age}. Alleen op afspraak, screening verplicht. Werk in {city}.",
    "Ervaren masseuse {name} ({age}) in {city}. Eigen praktijk, vergunning aanwezig.",
    "{name}, {age}, onafhankelijk. Ik kies zelf mijn klanten. Reistijd {city} en omgeving.",
)
FINDINGS = ("onbetaald_loon", "paspoort_ingehouden", "huisvesting_gekoppeld", "geen")


@dataclass
class Export:
    source: str
    mapping: str
    files: dict[str, list[Row]] = field(default_factory=dict)


class Truth:
    """Which store records belong to which true person, network and ad controller."""

    def __init__(self) -> None:
        self.records: dict[str, set[str]] = {}
        self.ads: dict[str, dict[str, str | None]] = {}

    def add(self, tid: str, uid: str) -> None:
        self.records.setdefault(tid, set()).add(uid)


def fmt_date(rng: random.Random, day: dt.date, style: str) -> str:
    if style == "nl":
        return day.strftime("%d-%m-%Y")
    if style == "mixed" and rng.random() < 0.3:
        return day.strftime("%d/%m/%Y")
    return day.isoformat()


def amount_nl(value: float) -> str:
    whole, cents = f"{value:.2f}".split(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ".".join(groups) + "," + cents


class Exporter:
    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self.truth = Truth()
        self._ids: dict[tuple[str, str], str] = {}
        self._counters: dict[str, int] = {}

    def next_id(self, prefix: str) -> str:
        self._counters[prefix] = self._counters.get(prefix, 0) + 1
        return f"{prefix}{self._counters[prefix]:07d}"

    def record_id(self, source: str, prefix: str, tid: str) -> str:
        """One stable record id per true person per source (an agency's person registry)."""
        key = (source, tid)
        if key not in self._ids:
            self._ids[key] = self.next_id(prefix)
            self.truth.add(tid, f"Person:{source}:{self._ids[key]}")
        return self._ids[key]

    def name_as_written(self, person: Person) -> tuple[str, str]:
        if self.rng.random() < 0.35:
            return variant(self.rng, person.first, person.last)
        return person.first, person.last

    def day(self) -> dt.date:
        return self.world.start + dt.timedelta(days=self.rng.randrange(self.world.days))

    def maybe(self, p: float, value: str) -> str:
        return value if self.rng.random() < p else ""

    # -- police ------------------------------------------------------------------------------

    def police(self) -> Export:
        rng, people = self.rng, self.world.people
        persons: list[Row] = []
        taps: list[Row] = []
        sightings: list[Row] = []

        def person_row(case: Row, tid: str, role: str) -> None:
            p = people[tid]
            first, last = self.name_as_written(p)
            phone = p.work_phone if p.work_phone and rng.random() < 0.5 else p.phone
            persons.append(
                {
                    **case,
                    "persoon_id": self.record_id("police", "P", tid),
                    "rol": role,
                    "achternaam": last,
                    "voornamen": first,
                    "geboortedatum": self.maybe(0.9, fmt_date(rng, p.birth, "nl")),
                    "telefoon": self.maybe(0.85, display_phone(rng, phone)),
                    "straat": self.maybe(0.8, p.home["street"]),
                    "huisnummer": p.home["house_number"],
                    "postcode": p.home["postcode"],
                    "woonplaats": p.home["city"],
                }
            )

        def case_header(phenomenon: str, region: str) -> Row:
            opened = self.day()
            return {
                "zaaknummer": f"{opened.year}-{self.next_id('Z')}",
                "registratiedatum": fmt_date(rng, opened, "nl"),
                "fenomeen": PHENOMENON_CODES[phenomenon],
                "eenheid": region,
            }

        def call(a: str, b: str, times: int) -> None:
            for _ in range(times):
                when = self.day()
                taps.append(
                    {
                        "gesprek_id": self.next_id("G"),
                        "datum": f"{when} {rng.randint(7, 23):02d}:{rng.randint(0, 59):02d}",
                        "van_nummer": display_phone(rng, a),
                        "naar_nummer": display_phone(rng, b),
                        "duur_sec": str(rng.randint(5, 900)),
                    }
                )

        for net in self.world.networks:
            self._police_network(net, case_header, person_row, call, sightings)
        offenders = [p.tid for p in people.values() if p.role == "offender"]
        civilians = [p.tid for p in people.values() if p.role == "civilian"]
        rng.shuffle(offenders)
        i = 0
        while i < len(offenders):
            group = offenders[i : i + rng.randint(1, 3)]
            i += len(group)
            region = people[group[0]].home["region"]
            case = case_header("other", region)
            for tid in group:
                person_row(case, tid, "verdachte")
            if civilians and rng.random() < 0.5:
                person_row(case, rng.choice(civilians), "slachtoffer")
            if civilians and rng.random() < 0.2:
                person_row(case, rng.choice(civilians), "getuige")
            for a, b in itertools.pairwise(group):
                call(people[a].phone, people[b].phone, rng.randint(1, 4))
        export = Export("police", "police")
        export.files["police/personen_zaken.csv"] = persons
        export.files["police/tapverslagen.csv"] = taps
        export.files["police/observaties.csv"] = sightings
        return export

    def _police_network(
        self,
        net: Network,
        case_header: Callable[[str, str], Row],
        person_row: Callable[[Row, str, str], None],
        call: Callable[[str, str, int], None],
        sightings: list[Row],
    ) -> None:
        rng, people = self.rng, self.world.people
        size = len(net.members)
        exposure = {
            "organiser": 0.3,
            "lieutenant": 0.55,
            "recruiter": 0.85,
            "transporter": 0.85,
            "enforcer": 0.85,
            "money_mule": 0.25,
            "facilitator": 0.3,
            "victim": 0.6,
        }
        cases = [case_header(net.phenomenon, net.region) for _ in range(1 + size // 40)]
        for tid, role in net.members.items():
            if rng.random() < exposure[role]:
                case = rng.choice(cases)
                person_row(case, tid, "slachtoffer" if role == "victim" else "verdachte")
                if role == "victim" and rng.random() < 0.3:
                    person_row(case, tid, "aangever")
        civilians = [p.tid for p in list(people.values())[:5000] if p.role == "civilian"]
        for case in cases:
            if civilians and rng.random() < 0.3:
                person_row(case, rng.choice(civilians), "getuige")
        boss = people[net.organiser]
        lieutenants = net.with_role("lieutenant")
        middle = net.with_role("recruiter", "transporter", "enforcer", "money_mule", "facilitator")
        victims = net.with_role("victim")
        hubs = lieutenants or [net.organiser]
        # The organiser keeps a low direct profile: few calls, only with lieutenants.
        for tid in lieutenants:
            call(boss.phone, people[tid].phone, rng.randint(1, 3))
        for tid in middle:
            call(people[rng.choice(hubs)].phone, people[tid].phone, rng.randint(2, 6))
        for tid in victims:
            handler = rng.choice(net.with_role("recruiter", "enforcer") or hubs)
            call(people[handler].phone, people[tid].phone, rng.randint(1, 4))
            controller = people[rng.choice(net.controllers)]
            if controller.work_phone and rng.random() < 0.5:
                call(controller.work_phone, people[tid].phone, rng.randint(1, 3))
        for tid in net.controllers:
            if people[tid].work_phone and tid != net.organiser:
                call(people[tid].work_phone or "", boss.phone, rng.randint(1, 2))
        # Surveillance sees the organiser meet lieutenants and the landlord.
        for tid in [*lieutenants[:3], *(t for t in [net.landlord] if t and t != net.organiser)]:
            for _ in range(rng.randint(1, 2)):
                other = people[tid]
                first, last = self.name_as_written(boss)
                ofirst, olast = self.name_as_written(other)
                sightings.append(
                    {
                        "observatie_id": self.next_id("O"),
                        "datum": fmt_date(rng, self.day(), "nl"),
                        "persoon_1_id": self.record_id("police", "P", boss.tid),
                        "persoon_1_naam": f"{first} {last}",
                        "persoon_2_id": self.record_id("police", "P", tid),
                        "persoon_2_naam": f"{ofirst} {olast}",
                        "plaats": boss.home["city"],
                    }
                )
        # A few calls cross networks and background (shared contacts do exist).
        if rng.random() < 0.3 and len(self.world.networks) > 1:
            other_net = rng.choice(self.world.networks)
            if other_net is not net:
                a = people[rng.choice(list(net.members))]
                b = people[rng.choice(list(other_net.members))]
                call(a.phone, b.phone, 1)

    # -- Labour Inspectorate -----------------------------------------------------------------

    def nla(self) -> Export:
        rng, people = self.rng, self.world.people
        rows: list[Row] = []

        def inspection(company: Any, workers: list[str], finding: Callable[[], str]) -> None:
            day = self.day()
            inspection_id = self.next_id("I")
            director = people[company.director]
            dfirst, dlast = self.name_as_written(director)
            for tid in workers:
                w = people[tid]
                first, last = self.name_as_written(w)
                rows.append(
                    {
                        "inspectie_id": inspection_id,
                        "datum": day.isoformat(),
                        "regio": company.address["region"],
                        "bedrijf_kvk": company.kvk,
                        "bedrijf_naam": company.name,
                        "bedrijf_straat": company.address["street"],
                        "bedrijf_huisnummer": company.address["house_number"],
                        "bedrijf_postcode": company.address["postcode"],
                        "bedrijf_plaats": company.address["city"],
                        "directeur_id": self.record_id("nla", "D", director.tid),
                        "directeur_naam": f"{dfirst} {dlast}",
                        "directeur_geboortedatum": self.maybe(0.8, director.birth.isoformat()),
                        "werknemer_id": self.record_id("nla", "W", tid),
                        "werknemer_naam": f"{first} {last}",
                        "werknemer_geboortedatum": self.maybe(0.7, w.birth.isoformat()),
                        "werknemer_nationaliteit": w.nationality,
                        "werknemer_telefoon": self.maybe(0.6, display_phone(rng, w.phone)),
                        "huisvesting_postcode": self.maybe(0.8, w.home["postcode"]),
                        "huisvesting_huisnummer": w.home["house_number"],
                        "bevinding": finding(),
                    }
                )

        for net in self.world.networks:
            if net.company is None:
                continue
            found = [t for t in net.with_role("victim") if rng.random() < 0.75]
            if found:
                inspection(net.company, found, lambda: rng.choice(FINDINGS[:3]))
        civilians = [p.tid for p in people.values() if p.role == "civilian"]
        for company in self.world.companies:
            if company.network is None and civilians and rng.random() < 0.5:
                workers = rng.sample(civilians, min(len(civilians), rng.randint(1, 6)))
                inspection(company, workers, lambda: "geen")
        return Export("nla", "nla", {"nla/inspecties.csv": rows})

    # -- municipalities ----------------------------------------------------------------------

    def municipality(self) -> Export:
        rng, people = self.rng, self.world.people
        rows: list[Row] = []

        def signal(
            kind: str, address: dict[str, str], owner: Person | None, residents: int
        ) -> None:
            row: Row = {
                "melding_id": self.next_id("M"),
                "datum": self.day().isoformat(),
                "soort": kind,
                "straat": address["street"],
                "huisnummer": address["house_number"],
                "postcode": address["postcode"],
                "plaats": address["city"],
                "regio": address["region"],
                "aantal_ingeschrevenen": residents,
            }
            if owner is not None:
                first, last = self.name_as_written(owner)
                row["eigenaar_id"] = self.record_id("municipality", "E", owner.tid)
                row["eigenaar_naam"] = f"{first} {last}"
            rows.append(row)

        for net in self.world.networks:
            landlord = people[net.landlord] if net.landlord else None
            for house in net.houses:
                if rng.random() < 0.8:
                    kind = (
                        "overbewoning"
                        if net.phenomenon != "sexual_exploitation"
                        else rng.choice(("overbewoning", "vermoeden_prostitutie"))
                    )
                    signal(kind, house, landlord, rng.randint(6, 18))
        for p in people.values():
            if p.role == "civilian" and rng.random() < 0.02:
                signal(
                    rng.choice(("veel_inschrijvingen", "overbewoning")),
                    p.home,
                    p,
                    rng.randint(4, 9),
                )
        return Export("municipality", "municipality", {"municipality/signalen.jsonl": rows})

    # -- care coordinators -------------------------------------------------------------------

    def care(self) -> Export:
        rng, people = self.rng, self.world.people
        rows: list[Row] = []
        for net in self.world.networks:
            for tid in net.with_role("victim"):
                if rng.random() >= 0.3:
                    continue
                p = people[tid]
                first, last = self.name_as_written(p)
                rows.append(
                    {
                        "intake_id": self.record_id("care", "C", tid),
                        "datum": fmt_date(rng, self.day(), "mixed"),
                        "regio": net.region,
                        "naam": f"{first} {last}",
                        "geboortedatum": self.maybe(0.8, fmt_date(rng, p.birth, "mixed")),
                        "nationaliteit": p.nationality,
                        "telefoon": self.maybe(0.7, display_phone(rng, p.phone)),
                        "uitbuitingsvorm": net.phenomenon,
                        "verblijf_postcode": self.maybe(0.7, p.home["postcode"]),
                        "verblijf_huisnummer": p.home["house_number"],
                    }
                )
        return Export("care", "care", {"care/intakes.csv": rows})

    # -- financial intelligence --------------------------------------------------------------

    def fiu(self) -> Export:
        rng, people = self.rng, self.world.people
        holders: list[Row] = []
        transfers: list[Row] = []
        holder_share = {
            "organiser": 0.9,
            "lieutenant": 0.7,
            "money_mule": 1.0,
            "facilitator": 0.8,
            "victim": 0.6,
            "recruiter": 0.4,
            "transporter": 0.3,
            "enforcer": 0.3,
            "offender": 0.5,
            "civilian": 0.7,
            "sex_worker": 0.5,
        }
        known: set[str] = set()
        for p in people.values():
            if p.iban is None or rng.random() >= holder_share.get(p.role or "civilian", 0.5):
                continue
            known.add(p.tid)
            first, last = self.name_as_written(p)
            holders.append(
                {
                    "klant_id": self.record_id("fiu", "K", p.tid),
                    "naam": f"{first} {last}",
                    "geboortedatum": self.maybe(0.9, p.birth.isoformat()),
                    "iban": display_iban(rng, p.iban),
                    "telefoon": self.maybe(0.5, display_phone(rng, p.phone)),
                    "postcode": self.maybe(0.9, p.home["postcode"]),
                    "huisnummer": p.home["house_number"],
                }
            )

        def transfer(a: str, b: str, low: float, high: float, note: str) -> None:
            src, dst = people[a].iban, people[b].iban
            if src is None or dst is None:
                return
            transfers.append(
                {
                    "transactie_id": self.next_id("X"),
                    "datum": self.day().isoformat(),
                    "van_iban": display_iban(rng, src),
                    "naar_iban": display_iban(rng, dst),
                    "bedrag": amount_nl(rng.uniform(low, high)),
                    "omschrijving": note,
                }
            )

        for net in self.world.networks:
            mules = net.with_role("money_mule") or [net.organiser]
            for tid in net.with_role("victim"):
                for _ in range(rng.randint(1, 4)):
                    transfer(tid, rng.choice(mules), 150, 900, rng.choice(("schuld", "lening", "")))
                if net.landlord and rng.random() < 0.6:
                    transfer(tid, net.landlord, 300, 650, "huur")
            for tid in mules:
                if tid != net.organiser:
                    for _ in range(rng.randint(2, 5)):
                        transfer(tid, net.organiser, 1000, 9000, "")
            for tid in net.with_role("lieutenant"):
                transfer(net.organiser, tid, 500, 3000, "")
        # sorted: a set of strings iterates in a per-process (hash-seeded) order
        pool = [
            t for t in sorted(known) if people[t].role in {"civilian", "offender", "sex_worker"}
        ]
        for tid in pool:
            for _ in range(rng.randint(0, 3)):
                transfer(tid, rng.choice(pool), 5, 400, rng.choice(("", "etentje", "huur", "gift")))
        export = Export("fiu", "fiu")
        export.files["fiu/rekeninghouders.csv"] = holders
        export.files["fiu/transacties.csv"] = transfers
        return export

    # -- crawled online ads ------------------------------------------------------------------

    def ads(self) -> Export:
        rng, people = self.rng, self.world.people
        rows: list[Row] = []
        sites = ("advertenties-a.example", "escortgids-b.example", "relax-c.example")

        def ad(
            owner: Person,
            phone: str,
            template: str,
            city: str,
            network: str | None,
            controller: str | None,
            image: str,
        ) -> None:
            site = rng.choice(sites)
            ad_id = self.next_id("A")
            age = owner.birth and (self.world.start.year - owner.birth.year)
            text = template.format(
                name=owner.first, age=age, city=city, origin=owner.nationality.capitalize()
            )
            row: Row = {
                "site": site,
                "ad_id": ad_id,
                "url": f"https://{site}/advertentie/{ad_id}",
                "title": f"{owner.first} ({age}) {city}",
                "text": text,
                "city": city,
                "posted": self.day().isoformat(),
                "phone": display_phone(rng, phone),
                "stated_age": age if rng.random() < 0.8 else None,
                "price": rng.choice((100, 120, 150, 180, 200, 250)),
                "image_hashes": image,
            }
            rows.append(row)
            self.truth.ads[f"OnlineAd:{site}|{ad_id}"] = {
                "network": network,
                "controller": controller,
                "person": owner.tid,
            }

        for net in self.world.networks:
            if net.phenomenon != "sexual_exploitation":
                continue
            template = rng.choice(AD_TEMPLATES)
            circuit = CITIES_BY_REGION[net.region] + [rng.choice(list(CITIES))]
            for tid in net.with_role("victim"):
                controller = rng.choice(net.controllers)
                phone = people[controller].work_phone or people[controller].phone
                image = f"{rng.getrandbits(64):016x}"
                for _ in range(rng.randint(2, 6)):
                    ad(
                        people[tid],
                        phone,
                        template,
                        rng.choice(circuit),
                        net.nid,
                        controller,
                        image,
                    )
        for p in people.values():
            if p.role == "sex_worker":
                image = f"{rng.getrandbits(64):016x}"
                template = rng.choice(INDEPENDENT_TEMPLATES)
                for _ in range(rng.randint(1, 4)):
                    ad(p, p.phone, template, p.home["city"], None, p.tid, image)
        return Export("ads", "ads", {"ads/ads.jsonl": rows})


# -- dirt ------------------------------------------------------------------------------------

CORRUPTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    # file: ((column, bad value), ...) — each malformed row gets one of these
    "police/personen_zaken.csv": (
        ("geboortedatum", "31-02-1990"),
        ("telefoon", "06-123"),
        ("persoon_id", ""),
        ("rol", "dader?"),
    ),
    "police/tapverslagen.csv": (("datum", "gisteren"), ("van_nummer", "12345")),
    "police/observaties.csv": (("datum", "2024-13-45"), ("persoon_2_id", "")),
    "nla/inspecties.csv": (
        ("bedrijf_postcode", "12345"),
        ("werknemer_id", ""),
        ("datum", "32-01-2024"),
    ),
    "municipality/signalen.jsonl": (("postcode", "ABCD12"), ("datum", "binnenkort")),
    "care/intakes.csv": (("geboortedatum", "1990-00-10"), ("intake_id", "")),
    "fiu/rekeninghouders.csv": (("iban", "NL00ABNA0000000000"), ("klant_id", "")),
    "fiu/transacties.csv": (("van_iban", "NL12ABCD"), ("bedrag", "veel")),
    "ads/ads.jsonl": (("posted", "vandaag"), ("ad_id", "")),
}


def corrupt(rng: random.Random, name: str, rows: list[Row], share: float) -> int:
    """Break a share of rows the way exports break; the ingest must quarantine each one."""
    options = CORRUPTIONS.get(name, ())
    broken = 0
    for row in rows:
        if options and rng.random() < share:
            column, bad = rng.choice(options)
            row[column] = bad
            broken += 1
    return broken


FILE_FORMATS: dict[str, tuple[str, str]] = {
    # file: (encoding, delimiter) — JSON Lines files ignore the delimiter
    "police/personen_zaken.csv": ("cp1252", ";"),
    "police/tapverslagen.csv": ("cp1252", ";"),
    "police/observaties.csv": ("cp1252", ";"),
    "nla/inspecties.csv": ("utf-8-sig", ","),
    "care/intakes.csv": ("utf-8", ","),
    "fiu/rekeninghouders.csv": ("utf-8", ";"),
    "fiu/transacties.csv": ("utf-8", ";"),
}


def write_rows(path: Path, name: str, rows: list[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.endswith(".jsonl"):
        with open(path, "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(
                    json.dumps({k: v for k, v in row.items() if v is not None}, ensure_ascii=False)
                    + "\n"
                )
        return
    encoding, delimiter = FILE_FORMATS[name]
    columns: dict[str, None] = {}
    for row in rows[:1000]:
        columns.update(dict.fromkeys(row))
    with open(path, "w", encoding=encoding, errors="replace", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(columns)
        for row in rows:
            values = ["" if row.get(c) is None else str(row[c]) for c in columns]
            if encoding == "cp1252":
                # The police system cannot store letters outside cp1252 and drops the accents.
                values = [v if _fits_cp1252(v) else strip_diacritics(v) for v in values]
            writer.writerow(values)


def _fits_cp1252(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True
