"""The schema is written once; everything derived from it agrees with it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graph_model.cypher_schema import schema_cypher
from graph_model.models import NODE_MODELS, EdgeProperties
from graph_model.schema import load_schema, parse_schema
from ingest.mapping import available_mappings, load_mapping
from netzicht.errors import SchemaError

ROOT = Path(__file__).resolve().parents[1]
REQUIRED_LABELS = {
    "Person",
    "Organisation",
    "Address",
    "Phone",
    "Email",
    "BankAccount",
    "Vehicle",
    "OnlineAd",
    "Case",
    "Signal",
    "Region",
}
REQUIRED_TYPES = {
    "SUSPECT_IN",
    "VICTIM_IN",
    "WITNESS_IN",
    "REPORTED_IN",
    "LIVES_AT",
    "REGISTERED_AT",
    "WORKS_FOR",
    "DIRECTS",
    "OWNS",
    "LOCATED_AT",
    "USES",
    "HOLDS",
    "TRANSFERRED_TO",
    "CALLED",
    "MET",
    "ASSOCIATED_WITH",
    "LISTS",
    "CONCERNS",
    "IN_REGION",
}


def test_schema_has_the_labels_and_types_investigators_need() -> None:
    schema = load_schema()
    assert schema.labels >= REQUIRED_LABELS
    assert schema.relationship_types >= REQUIRED_TYPES
    assert len(schema.regions) == 10


def test_identity_keys_follow_the_contract() -> None:
    schema = load_schema()
    assert schema.node("Phone").identity == ("number",)
    assert schema.node("BankAccount").identity == ("iban",)
    assert schema.node("Address").identity == ("postcode", "house_number")
    assert schema.node("Person").keyed_by_source_record


def test_committed_cypher_schema_is_generated_from_the_schema() -> None:
    committed = (ROOT / "cypher" / "schema.cypher").read_text(encoding="utf-8")
    assert committed == schema_cypher(), (
        "run: python -m graph_model.cypher_schema > cypher/schema.cypher"
    )
    for label in load_schema().labels:
        assert f"FOR (n:{label}) REQUIRE n.uid IS UNIQUE" in committed


def test_pydantic_models_have_exactly_the_schema_properties() -> None:
    schema = load_schema()
    assert set(NODE_MODELS) == schema.labels
    for label, model in NODE_MODELS.items():
        assert set(model.model_fields) == set(schema.node(label).properties), label
    assert set(EdgeProperties.model_fields) == set(schema.relationship_properties)


def test_models_reject_properties_the_schema_does_not_know() -> None:
    with pytest.raises(ValueError):
        NODE_MODELS["Phone"](number="+31612345678", colour="red")


def test_every_shipped_mapping_loads_against_the_schema() -> None:
    names = available_mappings()
    assert {"generic", "police", "nla", "municipality", "care", "fiu", "ads"} <= set(names)
    for name in names:
        assert load_mapping(name).files


def test_a_broken_schema_is_refused_with_its_location() -> None:
    raw = yaml.safe_load((ROOT / "graph_model" / "schema.yaml").read_text(encoding="utf-8"))
    raw["relationships"]["LIVES_AT"]["to"] = ["Castle"]
    with pytest.raises(SchemaError, match=r"relationships\.LIVES_AT.*Castle"):
        parse_schema(raw, "test-schema")
