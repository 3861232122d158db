"""Dutch cities ads name, with their police regional unit (public geography)."""

from __future__ import annotations

from ingest.crawl.extract import find_city

CITY_REGION: dict[str, str] = {
    "Amsterdam": "Amsterdam",
    "Amstelveen": "Amsterdam",
    "Haarlem": "Noord-Holland",
    "Zaandam": "Noord-Holland",
    "Alkmaar": "Noord-Holland",
    "Hoorn": "Noord-Holland",
    "Den Helder": "Noord-Holland",
    "Hilversum": "Midden-Nederland",
    "Den Haag": "Den Haag",
    "Leiden": "Den Haag",
    "Delft": "Den Haag",
    "Zoetermeer": "Den Haag",
    "Rotterdam": "Rotterdam",
    "Dordrecht": "Rotterdam",
    "Schiedam": "Rotterdam",
    "Gouda": "Midden-Nederland",
    "Utrecht": "Midden-Nederland",
    "Amersfoort": "Midden-Nederland",
    "Almere": "Midden-Nederland",
    "Lelystad": "Midden-Nederland",
    "Groningen": "Noord-Nederland",
    "Leeuwarden": "Noord-Nederland",
    "Assen": "Noord-Nederland",
    "Zwolle": "Oost-Nederland",
    "Enschede": "Oost-Nederland",
    "Hengelo": "Oost-Nederland",
    "Apeldoorn": "Oost-Nederland",
    "Deventer": "Oost-Nederland",
    "Arnhem": "Oost-Nederland",
    "Nijmegen": "Oost-Nederland",
    "Eindhoven": "Oost-Brabant",
    "Helmond": "Oost-Brabant",
    "'s-Hertogenbosch": "Oost-Brabant",
    "Den Bosch": "Oost-Brabant",
    "Tilburg": "Zeeland-West-Brabant",
    "Breda": "Zeeland-West-Brabant",
    "Roosendaal": "Zeeland-West-Brabant",
    "Bergen op Zoom": "Zeeland-West-Brabant",
    "Middelburg": "Zeeland-West-Brabant",
    "Vlissingen": "Zeeland-West-Brabant",
    "Maastricht": "Limburg",
    "Venlo": "Limburg",
    "Heerlen": "Limburg",
    "Sittard": "Limburg",
    "Roermond": "Limburg",
}
CITIES: tuple[str, ...] = tuple(sorted(CITY_REGION, key=len, reverse=True))


def region_of(city: str | None) -> str | None:
    return None if city is None else CITY_REGION.get(city)


def city_in_text(text: str) -> str | None:
    return find_city(text, CITIES)
