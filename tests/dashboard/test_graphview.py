"""The network drawing: offline, cut sensibly when too large, safe with hostile names."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, cast

import pyvis

from dashboard.graphview import COMMUNITY_PALETTE, DrawEdge, DrawNode, draw, draw_network, tooltip
from dashboard.vispage import STATIC_DIR, VIS
from netzicht.network_view import MemberView, NetworkView, TieView

LOADS = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*\"([^\"]*)\"")


def nodes(n: int) -> list[DrawNode]:
    return [
        DrawNode(f"p{i}", f"Person {i}", tooltip({"i": i}), "person", size=float(i))
        for i in range(n)
    ]


def drawn(html: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The nodes and edges the page hands to vis-network."""
    found = re.findall(r"new vis\.DataSet\((\[.*?\])\)", html)
    assert len(found) == 2, "one data set of nodes, one of edges"
    return json.loads(found[0]), json.loads(found[1])


def test_the_drawing_needs_nothing_from_the_internet() -> None:
    inline = draw(nodes(5), [DrawEdge("p0", "p1", "CALLED", "x")])
    assert LOADS.findall(inline.html) == [], "inlined: nothing is loaded from anywhere"
    assert "new vis.Network" in inline.html and "@version 9.1.2" in inline.html

    served = draw(nodes(5), [DrawEdge("p0", "p1", "CALLED", "x")], assets="/app/static")
    loads = LOADS.findall(served.html)
    assert loads == [
        f"/app/static/{VIS}/vis-network.css",
        f"/app/static/{VIS}/vis-network.min.js",
    ], "only this server's own static files, by absolute path (the iframe is a srcdoc)"
    for url in loads:
        assert (STATIC_DIR / url.removeprefix("/app/static/")).is_file()
    assert "@version" not in served.html, "the library is not shipped with the drawing"


def test_the_served_library_is_the_one_pyvis_ships() -> None:
    """dashboard/static/ holds vis-network exactly as pyvis 0.3.2 inlined it before, so the
    drawings look and behave as they did."""
    shipped = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    for name in ("vis-network.min.js", "vis-network.css"):
        assert (STATIC_DIR / VIS / name).read_bytes() == (shipped / name).read_bytes(), name


def test_a_network_of_500_and_2000_ships_only_its_data() -> None:
    many = nodes(500)
    edges = [
        DrawEdge(f"p{i % 500}", f"p{(i * 7 + 1) % 500}", "CALLED", tooltip({"tie": "CALLED"}))
        for i in range(2000)
    ]
    drawing = draw(many, edges, assets="/app/static")
    assert (drawing.nodes, drawing.edges) == (500, 2000)
    assert len(drawing.html) < 400_000, "data only: the library (0.7 MB) is served once"
    assert "loadingBar" not in drawing.html, "laid out on the server: no physics to wait for"
    shown, ties = drawn(drawing.html)
    assert len(shown) == 500 and len(ties) == 2000
    assert all("x" in n and "y" in n for n in shown)


def test_colours_shapes_and_dashes_follow_role_and_tie_type() -> None:
    people = [
        DrawNode("a", "A", "", "organiser", size=30),
        DrawNode("b", "B", "", "victim"),
        DrawNode("c", "", "", "artefact"),
    ]
    ties = [DrawEdge("a", "b", "TRANSFERRED_TO", "", weight=20), DrawEdge("a", "c", "SHARED", "")]
    shown, drawn_ties = drawn(draw(people, ties).html)
    assert [(n["label"], n["color"], n.get("shape", "dot")) for n in shown] == [
        ("A", "#b2182b", "dot"),
        ("B", "#4393c3", "dot"),
        ("c", "#bababa", "square"),  # no name: the id is the label, as pyvis did
    ]
    assert [(t["color"], t["width"], t.get("dashes")) for t in drawn_ties] == [
        ("#d73027", 8, None),
        ("#999999", 2.0, True),
    ]
    html = draw(people, ties).html
    assert '"nodes": {"shape": "dot"}' in html
    assert '"arrows": "to"' in html


def test_large_networks_are_cut_to_the_strongest_and_say_so() -> None:
    many = nodes(700)
    edges = [
        DrawEdge(f"p{i}", f"p{(i * 7 + 1) % 700}", "CALLED", "", weight=i % 5) for i in range(3000)
    ]
    drawing = draw(many, edges)
    assert drawing.nodes == 500 and drawing.edges <= 2000
    assert drawing.cut is not None and "500 highest-scoring of 700" in drawing.cut
    # The 500 largest (by organiser score) are kept: the smallest ones are gone.
    labels = {n["label"] for n in drawn(drawing.html)[0]}
    assert "Person 699" in labels and "Person 0" not in labels


def test_record_ids_do_not_reach_the_page() -> None:
    drawing = draw([DrawNode("Person:police:P123", "pseudonym 1a2b", "", "person")], [])
    assert "P123" not in drawing.html


def test_hostile_names_cannot_break_out_of_the_page_script() -> None:
    evil = DrawNode(
        "x",
        "</script><script>alert(1)</script>",
        tooltip({"name": "<img onerror=1> <a href='x'>"}),
        "person",
    )
    drawing = draw([evil], [])
    assert "</script><script>alert(1)" not in drawing.html
    assert "<img onerror" not in drawing.html
    # The text arrives intact, as a string vis-network shows as text.
    (node,) = drawn(drawing.html)[0]
    assert node["label"] == "</script><script>alert(1)</script>"
    assert node["title"] == "name: <img onerror=1> <a href='x'>"


def test_the_network_after_a_what_if_leaves_out_the_removed_and_colours_each_part() -> None:
    """a — b — c — d, e — d: removing b leaves the parts {a} and {c, d, e}."""
    members = [MemberView(u, u.upper(), "person", 0.1, None, None, []) for u in "abcde"]
    ties = [TieView(x, y, "CALLED", 1.0, []) for x, y in ("ab", "bc", "cd", "ed")]
    view = NetworkView(network=cast(Any, None), members=members, ties=ties)
    shown, shown_ties = drawn(draw_network(view, "part", removed=frozenset({"b"})).html)
    colour = {n["label"]: n["color"] for n in shown}
    assert sorted(colour) == ["A", "C", "D", "E"]
    assert len(shown_ties) == 2  # b's two ties went with b
    assert colour["C"] == colour["D"] == colour["E"] == COMMUNITY_PALETTE[0]  # largest part first
    assert colour["A"] == COMMUNITY_PALETTE[1]
    whole, _ = drawn(draw_network(view, "role").html)
    assert len(whole) == 5  # without a what-if nothing is left out
