"""Dashboard speed: a network of 500 people and 2,000 ties, drawn on the Networks page.

    python bench/dashboard.py [--loads 20] [--json]

Builds a store with one such network (plus nothing else), analyses it, then measures
1. server-side work: the whole script run (sign-in, sidebar, Networks page) in Streamlit's
   AppTest, first with cold caches, then `--loads` new visits (a new session each, as a page
   load in the browser is) and `--loads` reruns of one session (a click), caches warm (p50/p95);
2. in a real browser (Debian's chromium through Playwright) against `netzicht dashboard`:
   `--loads` full page loads of the Networks page, from the start of the navigation until
   vis-network has drawn the whole network for the first time (p50/p95), both by the browser's
   clock (the page's `performance.timeOrigin` to the moment the drawing marks itself drawn) and
   as timed from outside, which adds the latency of Playwright's polling for that mark (its
   retries back off to hundreds of milliseconds). The bench fails if the page drew fewer than
   500 people and 2,000 ties. For comparison it also times `--loads` switches to the page by a
   sidebar click (browser's clock), which keep the running front end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph_model.store.base import EdgeRecord, NodeRecord, WriteBatch  # noqa: E402
from graph_model.store.sqlite import SQLiteStore  # noqa: E402
from netzicht.service import Service  # noqa: E402
from netzicht.settings import Settings  # noqa: E402

PEOPLE = 500
TIES = 2000
NETWORK = "net-0001"  # the analysis finds the one network the store holds


def build_store(path: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    batch = WriteBatch()
    for i in range(PEOPLE):
        batch.nodes.append(
            NodeRecord(
                f"Person:bench:P{i:04d}",
                "Person",
                f"Person {i:04d}",
                {"name": f"Person {i:04d}"},
                "bench",
                f"P{i:04d}",
                "2024-01-01",
            )
        )
    pairs: set[tuple[int, int]] = {(i, i + 1) for i in range(PEOPLE - 1)}  # one connected network
    while len(pairs) < TIES:
        # Planted sub-groups of 50 with a few hubs, like a large operation.
        a = rng.randrange(PEOPLE)
        b = (a // 50) * 50 + rng.randrange(50) if rng.random() < 0.8 else rng.randrange(PEOPLE)
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    for n, (a, b) in enumerate(sorted(pairs)):
        batch.edges.append(
            EdgeRecord(
                f"Person:bench:P{a:04d}",
                "CALLED",
                f"Person:bench:P{b:04d}",
                {},
                "bench",
                f"c{n}",
                f"2024-{1 + n % 12:02d}-01",
                1.0 + rng.random(),
            )
        )
    store = SQLiteStore(path)
    store.write_batch(batch, "2024-12-31T00:00:00+00:00")
    store.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def server_side(store_uri: str, data_dir: Path, loads: int) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    os.environ.update(
        {"NETZICHT_STORE": store_uri, "NETZICHT_DATA_DIR": str(data_dir), "NETZICHT_ROLE": "admin"}
    )
    app = str(ROOT / "dashboard" / "app.py")

    def visit() -> AppTest:
        # A new session that opens the Networks page directly, as a page load does.
        at = AppTest.from_file(app, default_timeout=120)
        at.switch_page("views/networks.py")
        at.run()
        assert not at.exception, at.exception
        assert at.header and at.header[0].value == f"Network {NETWORK}", "not the bench network"
        return at

    # The run is timed inside the app (st.session_state["page_seconds"]): AppTest's own polling
    # would otherwise add its sleep interval to every measurement.
    def seconds(at: AppTest) -> float:
        return float(at.session_state["page_seconds"])

    cold = seconds(visit())
    visits = [seconds(visit()) for _ in range(loads)]
    at = visit()
    reruns = []
    for _ in range(loads):
        at.run()
        reruns.append(seconds(at))
    return {
        "cold_s": round(cold, 3),
        "warm_p50_s": round(percentile(visits, 0.5), 3),
        "warm_p95_s": round(percentile(visits, 0.95), 3),
        "rerun_p50_s": round(percentile(reruns, 0.5), 3),
        "rerun_p95_s": round(percentile(reruns, 0.95), 3),
    }


def in_browser(store_uri: str, data_dir: Path, loads: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.dashboard.browser import CHROMIUM, CHROMIUM_ARGS, running_dashboard

    times, clocked, in_app = [], [], []
    with running_dashboard(store_uri, data_dir) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})

        def drawn() -> tuple[int, int, float]:
            # vis-network's first complete drawing of the network (the page marks it, with the
            # moment by the browser's clock); not just a canvas, which exists before anything
            # is drawn on it.
            mark = page.frame_locator("iframe").first.locator("#mynetwork[data-drawn=true]")
            mark.wait_for(timeout=120_000)
            shown = mark.evaluate(
                "() => [network.body.data.nodes.length, network.body.data.edges.length,"
                " Number(document.getElementById('mynetwork').getAttribute('data-drawn-at'))]"
            )
            return int(shown[0]), int(shown[1]), float(shown[2])

        def load() -> tuple[int, int, float]:
            """A full page load; the last value is the seconds from the navigation's start to
            the drawing by the browser's own clock (`performance.timeOrigin` of the page)."""
            page.goto(f"{url}/networks")
            people, ties, drawn_at = drawn()
            return people, ties, (drawn_at - page.evaluate("performance.timeOrigin")) / 1000

        shown = load()[:2]  # warm the server caches once, as a user's first visit does
        if shown != (PEOPLE, TIES):
            raise SystemExit(f"the page drew {shown[0]} people and {shown[1]} ties, not 500/2000")
        for _ in range(loads):
            start = time.perf_counter()
            clocked.append(load()[2])
            times.append(time.perf_counter() - start)
        # For comparison only (the target is on full page loads above): a click in the sidebar
        # from the Overview, which keeps the running front end.
        for _ in range(loads):
            page.get_by_role("link", name="Overview").click()
            page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=120_000)
            page.locator("iframe").wait_for(state="detached", timeout=120_000)
            start = page.evaluate("performance.timeOrigin + performance.now()")
            page.get_by_role("link", name="Networks").click()
            in_app.append((drawn()[2] - start) / 1000)
        browser.close()
    return {
        "p50_s": round(percentile(clocked, 0.5), 3),
        "p95_s": round(percentile(clocked, 0.95), 3),
        "max_s": round(max(clocked), 3),
        "outside_p50_s": round(percentile(times, 0.5), 3),
        "outside_p95_s": round(percentile(times, 0.95), 3),
        "outside_max_s": round(max(times), 3),
        "loads": loads,
        "drawn_people": shown[0],
        "drawn_ties": shown[1],
        "in_app_p50_s": round(percentile(in_app, 0.5), 3),
        "in_app_p95_s": round(percentile(in_app, 0.95), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="netzicht-dash-bench-"))
    db = work / "bench.db"
    build_store(db)
    uri = f"sqlite:///{db}"
    with Service.open(settings=Settings(store=uri, data_dir=work / "data")) as svc:
        result = svc.insight.run_analysis(resolution=0.01)
        largest = result.networks[0]
        ties = len(svc.insight.network_view(largest.id).ties)
    if (largest.id, largest.size, ties) != (NETWORK, PEOPLE, TIES):
        raise SystemExit(
            f"expected {NETWORK} of 500 people and 2000 ties, got {largest.id} of "
            f"{largest.size} and {ties}"
        )
    load_before = os.getloadavg()[0]
    server = server_side(uri, work / "data", args.loads)
    browser = in_browser(uri, work / "data", args.loads)
    report = {
        "network_people": largest.size,
        "network_ties": ties,
        "server": server,
        "browser": browser,
        "load_avg_before": load_before,
        "load_avg": os.getloadavg()[0],
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"network of {largest.size} people and {ties} ties (load average "
            f"{load_before:.1f} before, {report['load_avg']:.1f} after; {os.cpu_count()} CPUs)"
        )
        print(
            f"server-side run: cold {server['cold_s']} s; new visit p50 {server['warm_p50_s']} s, "
            f"p95 {server['warm_p95_s']} s; rerun p50 {server['rerun_p50_s']} s, "
            f"p95 {server['rerun_p95_s']} s"
        )
        print(
            f"in the browser, navigation to drawn network ({browser['drawn_people']} people, "
            f"{browser['drawn_ties']} ties) over {browser['loads']} loads: "
            f"p50 {browser['p50_s']} s, p95 {browser['p95_s']} s, max {browser['max_s']} s "
            "(browser's clock)"
        )
        print(
            "  the same loads timed from outside, with the bench's polling for the drawing: "
            f"p50 {browser['outside_p50_s']} s, p95 {browser['outside_p95_s']} s, "
            f"max {browser['outside_max_s']} s"
        )
        print(
            "  for comparison, from a sidebar click (no page load): "
            f"p50 {browser['in_app_p50_s']} s, p95 {browser['in_app_p95_s']} s"
        )


if __name__ == "__main__":
    main()
