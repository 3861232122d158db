"""`netzicht synth`: seeded, realistic, dirty agency exports with ground truth.

The generator builds one synthetic world (people, planted trafficking networks with roles,
background noise), then writes what each agency would have seen of it, in that agency's own
layout, with name variants, phone formats, missing fields and a share of malformed rows. It also
writes `manifest.json` (which source and mapping ingest which files) and `truth.json`
(network membership, roles, and the store records behind each true person). All synthetic.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.synth.exports import Exporter, corrupt, write_rows
from ingest.synth.world import build_world


@dataclass(frozen=True)
class SynthConfig:
    seed: int = 7
    scale: int = 3000  # approximate number of people
    start: dt.date = dt.date(2023, 1, 1)
    months: int = 24
    malformed_share: float = 0.01


def generate(config: SynthConfig, out_dir: Path) -> dict[str, Any]:
    world = build_world(config.seed, config.scale, config.start, config.months)
    exporter = Exporter(world, random.Random(config.seed + 1))
    exports = [
        exporter.police(),
        exporter.nla(),
        exporter.municipality(),
        exporter.care(),
        exporter.fiu(),
        exporter.ads(),
    ]
    dirt = random.Random(config.seed + 2)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest: list[dict[str, Any]] = []
    total_rows = 0
    malformed = 0
    for export in exports:
        for name, rows in export.files.items():
            malformed += corrupt(dirt, name, rows, config.malformed_share)
            write_rows(out_dir / name, name, rows)
            total_rows += len(rows)
        manifest.append(
            {"source": export.source, "mapping": export.mapping, "files": list(export.files)}
        )
    (out_dir / "manifest.json").write_text(
        json.dumps({"seed": config.seed, "scale": config.scale, "exports": manifest}, indent=2),
        encoding="utf-8",
    )
    truth = {
        "seed": config.seed,
        "scale": config.scale,
        "networks": [
            {
                "id": net.nid,
                "phenomenon": net.phenomenon,
                "region": net.region,
                "size": len(net.members),
                "organiser": net.organiser,
                "members": net.members,
            }
            for net in world.networks
        ],
        "people": {
            p.tid: {
                "name": f"{p.first} {p.last}",
                "role": p.role,
                "network": p.network,
                "records": sorted(exporter.truth.records.get(p.tid, ())),
            }
            for p in world.people.values()
            if p.tid in exporter.truth.records
        },
        "ads": exporter.truth.ads,
    }
    truth_path = out_dir / "truth.json"
    truth_path.write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    return {
        "out": str(out_dir),
        "seed": config.seed,
        "people": len(world.people),
        "networks": len(world.networks),
        "rows": total_rows,
        "malformed_rows": malformed,
        "exports": manifest,
        "truth": str(truth_path),
    }


__all__ = ["SynthConfig", "generate"]
