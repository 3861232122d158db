"""The tile-free map of police regions behind ad circuits."""

from __future__ import annotations

from dashboard.regionmap import REGION_CENTRES, circuit_map, circuit_stops
from graph_model.schema import load_schema


def test_every_police_region_of_the_schema_has_a_place_on_the_map() -> None:
    assert set(REGION_CENTRES) == set(load_schema().regions)


def test_a_circuit_is_drawn_stop_by_stop_in_time_order_without_tiles() -> None:
    path = [
        {"city": "Groningen", "region": "Noord-Nederland", "first": "2024-01-02", "ads": 3},
        {"city": "Nergenshuizen", "region": None, "first": "2024-01-09", "ads": 1},
        {"city": "Maastricht", "region": "Limburg", "first": "2024-02-01", "ads": 2},
    ]
    stops = circuit_stops(path)
    assert list(stops["city"]) == ["Groningen", "Maastricht"]  # no region, no place on the map
    assert list(stops["step"]) == [1, 3]
    assert stops.iloc[0]["lat"] > stops.iloc[1]["lat"]  # the north is up
    spec = circuit_map(path).to_dict()
    text = str(spec)
    assert "http" not in text.replace("https://vega.github.io/schema", "")  # no tile server
    assert len(spec["layer"]) == 4  # regions, their names, the route and the stops
