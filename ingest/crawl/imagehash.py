"""Perceptual image hashes (dHash) with Pillow and numpy.

dHash (Krawetz 2013, "Kind of like that"): shrink to 9×8 grey pixels and record, per row,
whether each pixel is brighter than its right neighbour — 64 bits. Re-encoding, resizing and
small edits change few bits, so near-identical photos are a few bits apart (Hamming distance),
while different photos differ in about half the bits.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def dhash(data: bytes, size: int = 8) -> str:
    """64-bit difference hash of an encoded image, as 16 hex digits."""
    with Image.open(io.BytesIO(data)) as img:
        grey = img.convert("L").resize((size + 1, size), Image.Resampling.LANCZOS)
        pixels = np.asarray(grey, dtype=np.int16)
    bits = (pixels[:, 1:] > pixels[:, :-1]).flatten()
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return f"{value:0{size * size // 4}x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
