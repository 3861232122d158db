"""What a crawler remembers between runs, so a crawl is incremental.

One JSON file per crawl configuration: per ad its content hash, image hashes, first and last
seen, status and the last row written. After a run, an ad is ``new``, ``changed`` (its content
hash moved), ``unchanged`` or — when the run saw the whole site and not this ad — ``removed``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONTENT_FIELDS = ("title", "text", "city", "posted", "stated_age", "price", "phone", "email")


def content_hash(row: dict[str, Any], image_urls: list[str]) -> str:
    payload = json.dumps(
        {"fields": {k: row.get(k) for k in CONTENT_FIELDS}, "images": sorted(image_urls)},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.blake2b(payload.encode(), digest_size=12).hexdigest()


@dataclass
class CrawlState:
    path: Path
    ads: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> CrawlState:
        if not path.exists():
            return cls(path)
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(path, data.get("ads", {}))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(
            json.dumps({"version": 1, "ads": self.ads}, ensure_ascii=False, indent=0),
            encoding="utf-8",
        )
        os.replace(tmp, self.path)  # a crash never leaves half a state file

    def known(self, ad_id: str) -> dict[str, Any] | None:
        return self.ads.get(ad_id)
