"""The network drawing: offline, cut sensibly when too large, safe with hostile names."""

from __future__ import annotations

from dashboard.graphview import DrawEdge, DrawNode, draw, tooltip


def nodes(n: int) -> list[DrawNode]:
    return [
        DrawNode(f"p{i}", f"Person {i}", tooltip({"i": i}), "person", size=float(i))
        for i in range(n)
    ]


def test_the_drawing_needs_nothing_from_the_internet() -> None:
    import re

    drawing = draw(nodes(5), [DrawEdge("p0", "p1", "CALLED", "x")])
    loads = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=", drawing.html)
    assert loads == [], "no script or stylesheet is loaded from anywhere"
    assert "vis.DataSet" in drawing.html and "new vis.Network" in drawing.html


def test_large_networks_are_cut_to_the_strongest_and_say_so() -> None:
    many = nodes(700)
    edges = [
        DrawEdge(f"p{i}", f"p{(i * 7 + 1) % 700}", "CALLED", "", weight=i % 5) for i in range(3000)
    ]
    drawing = draw(many, edges)
    assert drawing.nodes == 500 and drawing.edges <= 2000
    assert drawing.cut is not None and "500 highest-scoring of 700" in drawing.cut
    # The 500 largest (by organiser score) are kept: the smallest ones are gone.
    assert '"id": "p699"' in drawing.html and '"id": "p0"' not in drawing.html


def test_hostile_names_cannot_break_out_of_the_page_script() -> None:
    evil = DrawNode(
        "x", "</script><script>alert(1)</script>", tooltip({"name": "<img onerror=1>"}), "person"
    )
    drawing = draw([evil], [])
    assert "</script><script>alert(1)" not in drawing.html
    assert "<img onerror" not in drawing.html
