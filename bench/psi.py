"""Benchmark: private set intersection end to end through the file functions.

Generates two sets of N synthetic Dutch mobile numbers (E.164, +316xxxxxxxx) with a known
overlap, then runs request -> respond -> finish as the two parties would, writing and reading
every file in a temporary directory, and checks that the intersection found is exactly the
overlap. The timed part starts when the identifier files exist (generation is not timed).

    python bench/psi.py --size 100000 [--overlap 0.1] [--seed 42] [--workers N] [--json]

All numbers are synthetic (random draws from the +316 range), never real subscribers.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

try:
    from netzicht.privacy import psi
except ModuleNotFoundError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from netzicht.privacy import psi


def synthetic_sets(size: int, overlap: int, seed: int) -> tuple[list[str], list[str], set[str]]:
    """Two shuffled lists of ``size`` distinct mobile numbers sharing exactly ``overlap``."""
    rng = random.Random(seed)
    draws = rng.sample(range(10**8), 2 * size - overlap)
    numbers = [f"+316{d:08d}" for d in draws]
    ours = numbers[:size]
    theirs = numbers[:overlap] + numbers[size:]
    rng.shuffle(ours)
    rng.shuffle(theirs)
    return ours, theirs, set(numbers[:overlap])


def run(size: int, overlap_fraction: float, seed: int, workers: int | None) -> dict[str, object]:
    overlap = round(size * overlap_fraction)
    ours, theirs, expected = synthetic_sets(size, overlap, seed)
    with tempfile.TemporaryDirectory(prefix="netzicht-psi-bench-") as tmp:
        requester, responder = Path(tmp, "requester"), Path(tmp, "responder")
        requester.mkdir()
        responder.mkdir()
        (requester / "ids.txt").write_text("\n".join(ours) + "\n", encoding="utf-8")
        (responder / "ids.txt").write_text("\n".join(theirs) + "\n", encoding="utf-8")

        start = time.perf_counter()
        psi.request_files(
            requester / "ids.txt",
            requester / "state.psi",
            requester / "request.psi",
            workers=workers,
        )
        # The request file travels to the responder, the response file back.
        (responder / "request.psi").write_bytes((requester / "request.psi").read_bytes())
        psi.respond_files(
            responder / "request.psi",
            responder / "ids.txt",
            responder / "response.psi",
            max_request_size=max(size, psi.DEFAULT_MAX_REQUEST_SIZE),
            workers=workers,
        )
        (requester / "response.psi").write_bytes((responder / "response.psi").read_bytes())
        result = psi.finish_files(
            requester / "state.psi", requester / "response.psi", workers=workers
        )
        seconds = time.perf_counter() - start
    correct = result.count == overlap and set(result.matches or []) == expected
    return {"seconds": round(seconds, 3), "size": size, "overlap": overlap, "correct": correct}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="identifiers per party")
    parser.add_argument("--overlap", type=float, default=0.1, help="fraction shared (0..1)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=None, help="threads (default: auto)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.size < 1 or not 0.0 <= args.overlap <= 1.0:
        parser.error("--size must be >= 1 and --overlap in [0, 1]")
    report = run(args.size, args.overlap, args.seed, args.workers)
    if args.json:
        print(json.dumps(report))
    else:
        status = "correct" if report["correct"] else "WRONG"
        print(
            f"PSI {report['size']} x {report['size']} identifiers, overlap {report['overlap']}: "
            f"{report['seconds']:.2f} s ({status})"
        )
    return 0 if report["correct"] else 1


if __name__ == "__main__":
    sys.exit(main())
