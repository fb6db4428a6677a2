"""Each listing's stored JSON, beside the Whoosh files: one file of JSON texts end to end and
an array of where each begins, read through a memory map.

Whoosh stores a document's fields pickled and zlib-compressed: compressing 100,000
listings' JSON was about a twelfth of a build's CPU, and every hit shown paid to
decompress and unpickle it again. Here a listing is a slice of a mapped file, shared by
every worker of a host. A build made before this file existed keeps its JSON in Whoosh's
``payload`` field, and ``Payloads.open`` says so by returning None.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

TEXTS_FILE = "payloads.json-seq"
STARTS_FILE = "payloads-starts.npy"


def write_payloads(folder: Path, payloads: Sequence[str]) -> None:
    """Write the JSON of every document (docnum order) and where each one starts."""
    starts = np.zeros(len(payloads) + 1, dtype=np.int64)
    with open(folder / TEXTS_FILE, "wb") as handle:
        at = 0
        for number, payload in enumerate(payloads):
            data = payload.encode("utf-8")
            handle.write(data)
            at += len(data)
            starts[number + 1] = at
        handle.flush()
        os.fsync(handle.fileno())
    with open(folder / STARTS_FILE, "wb") as handle:
        np.save(handle, starts)
        handle.flush()
        os.fsync(handle.fileno())


class Payloads:
    """A build's stored JSON texts, mapped read-only; safe to share between threads."""

    def __init__(self, texts: mmap.mmap | bytes, starts: np.ndarray) -> None:
        self._texts = texts
        self._starts = starts

    @classmethod
    def open(cls, folder: Path) -> Payloads | None:
        """The build's payloads, or None for a build that kept them in Whoosh."""
        try:
            starts = np.asarray(np.load(folder / STARTS_FILE, mmap_mode="r"))
            with open(folder / TEXTS_FILE, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                texts = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        except FileNotFoundError:
            return None
        if len(starts) < 1 or int(starts[-1]) != len(texts):
            raise RuntimeError(f"{folder / TEXTS_FILE} does not match {STARTS_FILE}: rebuild.")
        return cls(texts, starts)

    def __len__(self) -> int:
        return len(self._starts) - 1

    def get(self, docnum: int) -> bytes:
        start, end = self._starts[docnum : docnum + 2].tolist()
        return self._texts[start:end]
