#!/usr/bin/env python3
"""Smoke test of a running local Neo4j + GDS (start it with start.sh first).

Checks gds.version(), a 10-node graph, gds.graph.project, WCC, Leiden,
PageRank and betweenness through plain Cypher, then the same server through the
`graphdatascience` client (arrow=False). Cleans up the nodes and projections it
made (label :SmokeTest, graph names smoke_*). Exit 0 on success.

Usage: PYTHON=.venv/bin/python; $PYTHON tools/neo4j/smoke_test.py [--uri bolt://127.0.0.1:7687]
"""
from __future__ import annotations

import argparse
import sys
import time

from neo4j import GraphDatabase

EDGES = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3), (6, 7), (7, 8), (8, 6), (1, 4)]
N = 10  # node 9 is isolated


def cypher_checks(uri: str) -> None:
    with GraphDatabase.driver(uri, auth=None) as d:
        run = lambda q, **p: d.execute_query(q, p, database_="neo4j").records  # noqa: E731
        print("gds.version():", run("RETURN gds.version() AS v")[0]["v"])
        run("MATCH (n:SmokeTest) DETACH DELETE n")
        for g in ("smoke_dir", "smoke_und"):
            run("CALL gds.graph.drop($g, false) YIELD graphName RETURN graphName", g=g)
        run("UNWIND range(0, $n - 1) AS i CREATE (:SmokeTest {id: i})", n=N)
        run(
            "UNWIND $edges AS e MATCH (a:SmokeTest {id: e[0]}), (b:SmokeTest {id: e[1]}) "
            "CREATE (a)-[:LINK {w: 1.0}]->(b)",
            edges=[list(e) for e in EDGES],
        )
        r = run(
            "CALL gds.graph.project('smoke_dir', 'SmokeTest', 'LINK') "
            "YIELD graphName, nodeCount, relationshipCount RETURN *"
        )[0]
        print("project directed:", dict(r))
        assert (r["nodeCount"], r["relationshipCount"]) == (N, len(EDGES)), r
        r = run(
            "CALL gds.graph.project('smoke_und', 'SmokeTest', {LINK: {orientation: 'UNDIRECTED'}}) "
            "YIELD nodeCount, relationshipCount RETURN *"
        )[0]
        print("project undirected:", dict(r))

        def stream(q: str, key: str) -> dict[int, float]:
            rows = run(q + " YIELD nodeId, " + key + " RETURN gds.util.asNode(nodeId).id AS id, " + key)
            return {row["id"]: row[key] for row in rows}

        wcc = stream("CALL gds.wcc.stream('smoke_dir')", "componentId")
        print("wcc:", wcc)
        assert len(set(wcc.values())) == 3, wcc  # {0..5}, {6,7,8}, {9}
        leiden = stream("CALL gds.leiden.stream('smoke_und', {randomSeed: 42, concurrency: 1})", "communityId")
        print("leiden:", leiden)
        assert len(leiden) == N and len(set(leiden.values())) >= 3, leiden
        louvain = stream("CALL gds.louvain.stream('smoke_und')", "communityId")
        print("louvain:", louvain)
        pr = stream("CALL gds.pageRank.stream('smoke_dir')", "score")
        print("pageRank:", {k: round(v, 3) for k, v in pr.items()})
        assert len(pr) == N and all(v > 0 for v in pr.values()), pr
        bc = stream("CALL gds.betweenness.stream('smoke_dir')", "score")
        print("betweenness:", bc)
        assert len(bc) == N and max(bc.values()) > 0, bc
        for g in ("smoke_dir", "smoke_und"):
            run("CALL gds.graph.drop($g) YIELD graphName RETURN graphName", g=g)


def client_checks(uri: str) -> None:
    """graphdatascience 2.x API: server_version(), graph.project.native(), page_rank."""
    from graphdatascience import GraphDataScience

    t = time.monotonic()
    gds = GraphDataScience(uri, auth=None, arrow=False)
    print(f"GraphDataScience() constructed in {time.monotonic() - t:.1f}s; server_version:",
          gds.server_version())
    print("run_cypher gds.version():", gds.run_cypher("RETURN gds.version() AS v")["v"][0])
    G, res = gds.graph.project.native(
        "smoke_client", "SmokeTest", {"LINK": {"orientation": "UNDIRECTED"}}, overwrite=True
    )
    print("client project:", res.node_count, res.relationship_count)
    df = gds.page_rank.stream(G)
    print("client page_rank rows:", len(df))
    assert len(df) == N, df
    df = gds.leiden.stream(G, random_seed=42, concurrency=1)
    print("client leiden communities:", df["communityId"].nunique())
    df = gds.wcc.stream(G)
    print("client wcc components:", df["componentId"].nunique())
    G.drop()
    gds.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", default="bolt://127.0.0.1:7687")
    ap.add_argument("--no-client", action="store_true", help="skip the graphdatascience client part")
    a = ap.parse_args()
    try:
        cypher_checks(a.uri)
        if not a.no_client:
            client_checks(a.uri)
    finally:
        with GraphDatabase.driver(a.uri, auth=None) as d:
            d.execute_query("MATCH (n:SmokeTest) DETACH DELETE n", database_="neo4j")
    print("SMOKE OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
