"""Whoosh's segment writer, with each document's field lengths read once instead of once a posting.

When Whoosh writes a segment's postings it asks, for every posting, how long that field of
that document is (to keep each posting block's shortest and longest). The public call
reads one byte from the length column through several layers each time: about an eighth
of a build's CPU (460,000 calls at 10,000 listings). Here the columns are read once, a
field at a time, into lists, and the writer is given the same answers from them.

It relies on whoosh-reloaded 2.7.5's codec (the length column's name and encoding), so the
first documents' lengths are compared with Whoosh's own answer before the lists are used;
on any difference, or any error reading them, the writer falls back to Whoosh's own call
and logs why. ``tests/test_index.py`` checks that both ways write the same segment files.
"""

from __future__ import annotations

import logging
from typing import Any

from whoosh.writing import SegmentWriter

log = logging.getLogger(__name__)

_CHECKED_DOCS = 64  # documents compared with Whoosh's own answer before the lists are used


class PreloadedLengths:
    """A per-document reader whose ``doc_field_length`` answers from lists read at once."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._lengths: dict[str, list[int | None] | None] = {}

    def __getattr__(self, name: str) -> Any:  # everything else is the reader's own
        return getattr(self._reader, name)

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        if fieldname not in self._lengths:
            self._lengths[fieldname] = self._load(fieldname)
        lengths = self._lengths[fieldname]
        if lengths is None or not 0 <= docnum < len(lengths):
            answer: int | None = self._reader.doc_field_length(docnum, fieldname, default)
            return answer
        return lengths[docnum]

    def _load(self, fieldname: str) -> list[int | None] | None:
        try:
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
            from whoosh.util.numeric import byte_to_length

            if not self._reader.has_column(_lenfield(fieldname)):
                return None
            column = self._reader.column_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            # Whoosh answers None for a zero byte (its method ends without a return there).
            decode = [None] + [byte_to_length(byte) for byte in range(1, 256)]
            lengths = [decode[byte] for byte in column]
            own = self._reader.doc_field_length
            for docnum in range(min(_CHECKED_DOCS, len(lengths))):
                if lengths[docnum] != own(docnum, fieldname):
                    raise ValueError(f"document {docnum}: {lengths[docnum]} != Whoosh's")
        except Exception as error:  # noqa: BLE001 - any surprise means: use Whoosh's own
            log.warning("Field lengths of %r read one at a time: %s", fieldname, error)
            return None
        return lengths


class SegmentWriterWithLengths(SegmentWriter):  # type: ignore[misc]
    """``ix.writer(...)``'s class, giving the postings writer the preloaded lengths."""

    def per_document_reader(self) -> Any:
        return PreloadedLengths(super().per_document_reader())
