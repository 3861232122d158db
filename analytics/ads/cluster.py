"""Group ads that are likely run by one controller.

Ads are linked when they share a phone number or an e-mail address, when their images are
near-identical (64-bit perceptual hashes within ``max_hamming`` bits), or when their texts are
near-duplicates (MinHash over word 3-shingles, LSH at ``text_threshold`` Jaccard; Broder 1997,
"On the resemblance and containment of documents"). Clusters are the connected components of
these links (union-find); every cluster keeps which links made it.

Near-duplicate text is the weakest link: agencies, and independent workers too, copy templates,
so two ads with the same wording may have different controllers. A near-duplicate text
therefore *joins* an ad only when that ad has no phone, e-mail or image of its own; between two
ads that both have their own identifiers it is reported as a lead between their clusters
(``related``), not merged.

Image hashes are compared with the pigeonhole trick: split 64 bits into ``max_hamming + 1``
bands; two hashes within ``max_hamming`` bits agree exactly on at least one band, so only hashes
sharing a band are compared (Manku et al. 2007, "Detecting near-duplicates for web crawling").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from hashlib import blake2b

from datasketch import MinHash, MinHashLSH

from analytics.ads.model import Ad
from ingest.normalise import fold_name

TEXT_THRESHOLD = 0.9
MAX_HAMMING = 4
NUM_PERM = 64
_WORD = re.compile(r"\w+")


@dataclass
class Link:
    a: str
    b: str
    kind: str  # phone | email | image | text
    value: str


@dataclass
class AdClusterResult:
    cluster_of: dict[str, str]  # ad uid -> cluster id
    members: dict[str, list[str]]  # cluster id -> ad uids (sorted)
    links: dict[str, list[Link]] = field(default_factory=dict)  # cluster id -> links inside
    related: list[tuple[str, str, str]] = field(default_factory=list)  # (cluster, cluster, why)


def shingles(text: str, size: int = 3) -> set[str]:
    words = _WORD.findall(fold_name(text))
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def minhash(text: str, seed: int = 7) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=seed)
    for shingle in shingles(text):
        m.update(shingle.encode("utf-8"))
    return m


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


class _UnionFind:
    def __init__(self, items: Sequence[str]) -> None:
        self.parent = {x: x for x in items}

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True


def cluster_id(first_member: str) -> str:
    return "AC" + blake2b(first_member.encode(), digest_size=5).hexdigest()


def _valid_hash(value: str) -> bool:
    return len(value) == 16 and all(c in "0123456789abcdef" for c in value)


def link_ads(
    ads: Sequence[Ad],
    text_threshold: float | None = TEXT_THRESHOLD,
    max_hamming: int = MAX_HAMMING,
    seed: int = 7,
) -> list[Link]:
    """Every link between ads: shared phone, e-mail, near-identical image, near-duplicate text."""
    links: list[Link] = []
    by_value: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ad in ads:
        for phone in ad.phones:
            by_value[("phone", phone)].append(ad.uid)
        for email in ad.emails:
            by_value[("email", email)].append(ad.uid)
    for (kind, value), uids in sorted(by_value.items()):
        # A star to the first ad suffices for components and keeps links linear in ads.
        links.extend(Link(uids[0], other, kind, value) for other in uids[1:])
    links.extend(_image_links(ads, max_hamming))
    if text_threshold is not None:
        links.extend(_text_links(ads, text_threshold, seed))
    return links


def _image_links(ads: Sequence[Ad], max_hamming: int) -> list[Link]:
    bands = max_hamming + 1
    width = 64 // bands
    holders: dict[str, list[str]] = defaultdict(list)
    for ad in ads:
        for h in ad.image_hashes:
            if _valid_hash(h):
                holders[h].append(ad.uid)
    links: list[Link] = []
    for h, uids in holders.items():
        links.extend(Link(uids[0], other, "image", h) for other in uids[1:])
    index: dict[tuple[int, int], list[str]] = defaultdict(list)
    for h in holders:
        bits = int(h, 16)
        for band in range(bands):
            shift = band * width
            index[(band, (bits >> shift) & ((1 << width) - 1))].append(h)
    compared: set[tuple[str, str]] = set()
    for group in index.values():
        if len(group) < 2:
            continue
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                key = (a, b) if a < b else (b, a)
                if key in compared:
                    continue
                compared.add(key)
                if hamming(a, b) <= max_hamming:
                    links.append(Link(holders[a][0], holders[b][0], "image", f"{a}~{b}"))
    return links


def _text_links(ads: Sequence[Ad], threshold: float, seed: int) -> list[Link]:
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    hashes: dict[str, MinHash] = {}
    exact: dict[str, str] = {}
    links: list[Link] = []
    for ad in ads:
        body = f"{ad.title} {ad.text}".strip()
        if len(body) < 40:
            continue  # too short to say anything about authorship
        key = fold_name(body)
        if key in exact:
            links.append(Link(exact[key], ad.uid, "text", "identical text"))
            continue
        exact[key] = ad.uid
        m = minhash(body, seed)
        for other in lsh.query(m):
            similarity = m.jaccard(hashes[other])
            if similarity >= threshold:
                links.append(Link(other, ad.uid, "text", f"jaccard {similarity:.2f}"))
        lsh.insert(ad.uid, m)
        hashes[ad.uid] = m
    return links


def cluster_ads(
    ads: Sequence[Ad],
    text_threshold: float | None = TEXT_THRESHOLD,
    max_hamming: int = MAX_HAMMING,
    seed: int = 7,
) -> AdClusterResult:
    uids = sorted(ad.uid for ad in ads)
    anchored = {ad.uid for ad in ads if ad.phones or ad.emails or ad.image_hashes}
    uf = _UnionFind(uids)
    links = link_ads(ads, text_threshold, max_hamming, seed)
    text_only: set[int] = set()
    for k, link in enumerate(links):
        if link.kind == "text" and link.a in anchored and link.b in anchored:
            text_only.add(k)
        else:
            uf.union(link.a, link.b)
    groups: dict[str, list[str]] = defaultdict(list)
    for uid in uids:
        groups[uf.find(uid)].append(uid)
    members = {cluster_id(m[0]): m for m in groups.values()}
    cluster_of = {uid: cid for cid, m in members.items() for uid in m}
    inside: dict[str, list[Link]] = defaultdict(list)
    related: dict[tuple[str, str], str] = {}
    for k, link in enumerate(links):
        ca, cb = cluster_of[link.a], cluster_of[link.b]
        if ca == cb:
            inside[ca].append(link)
        elif k in text_only:
            key = (ca, cb) if ca < cb else (cb, ca)
            related.setdefault(key, f"near-duplicate text ({link.value})")
    return AdClusterResult(
        cluster_of,
        members,
        dict(inside),
        [(a, b, why) for (a, b), why in sorted(related.items())],
    )


def purity(cluster_of: dict[str, str], truth: dict[str, str | None]) -> dict[str, float | int]:
    """Ad-weighted purity of clusters against true controllers, and pairwise completeness."""
    groups: dict[str, list[str]] = defaultdict(list)
    for uid, cid in cluster_of.items():
        if truth.get(uid) is not None:
            groups[cid].append(str(truth[uid]))
    total = sum(len(g) for g in groups.values())
    majority = 0
    for g in groups.values():
        counts: dict[str, int] = defaultdict(int)
        for c in g:
            counts[c] += 1
        majority += max(counts.values())
    # Completeness: share of same-controller ad pairs that ended in one cluster.
    by_controller: dict[str, list[str]] = defaultdict(list)
    for uid, controller in truth.items():
        if controller is not None and uid in cluster_of:
            by_controller[controller].append(cluster_of[uid])
    same = together = 0
    for cids in by_controller.values():
        n = len(cids)
        same += n * (n - 1) // 2
        counts2: dict[str, int] = defaultdict(int)
        for c in cids:
            counts2[c] += 1
        together += sum(k * (k - 1) // 2 for k in counts2.values())
    return {
        "purity": round(majority / total, 4) if total else 1.0,
        "completeness": round(together / same, 4) if same else 1.0,
        "ads": total,
        "clusters": len(groups),
        "controllers": len(by_controller),
    }
