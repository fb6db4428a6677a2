"""One index build at a time, crash-safe: a lock the OS releases, leftovers swept, data synced.

A lock file whose *existence* means "locked" outlives a build killed with ``kill -9`` and
blocks every later build until someone deletes it. ``flock`` is held by the open file
description instead, so the kernel drops it the moment the process dies, however it dies.
The file itself stays (an empty lock file is harmless); only who holds it matters.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".build.lock"


class IndexLocked(RuntimeError):
    """Another build is running; two at once would fight over ``current``."""


class NotEnoughSpace(RuntimeError):
    """The disk filled up during a build. Said in one line, with the space needed and free."""


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Hold the index folder's build lock for the ``with`` block, or raise ``IndexLocked``."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            holder = _read_holder(fd)
            raise IndexLocked(
                f"Another index build is running{holder} (lock {path}). Wait for it to "
                "finish; the lock is released by itself when that build ends or is killed."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the flock if we held it


def _read_holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


def sweep_leftovers(root: Path, builds: Path) -> list[Path]:
    """Remove what a killed build left behind. Only call while holding the build lock.

    Staging folders (``builds/.<id>.tmp``) and half-made ``current`` links belong to builds
    that died before their swap; no reader ever opens them, so they are only wasted disk.
    """
    removed: list[Path] = []
    if builds.is_dir():
        for entry in builds.iterdir():
            if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    for entry in root.glob(".current.*.tmp"):
        entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def fsync_tree(folder: Path) -> None:
    """Flush every file in ``folder`` and the folder itself to disk before it goes live.

    Without it a power cut just after the swap can leave ``current`` pointing at files the
    disk never received.
    """
    for entry in folder.rglob("*"):
        if entry.is_file() and not entry.is_symlink():
            fd = os.open(entry, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    fsync_dir(folder)


def fsync_dir(folder: Path) -> None:
    """Make a rename or new entry in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def folder_size(folder: Path | None) -> int:
    """Bytes used by the files under ``folder`` (0 when there is none)."""
    if folder is None or not folder.is_dir():
        return 0
    return sum(entry.stat().st_size for entry in folder.rglob("*") if entry.is_file())


def not_enough_space(root: Path, needed_bytes: int) -> NotEnoughSpace:
    """The one-line message for a full disk: how much a build needs and how much is free."""
    try:
        free = shutil.disk_usage(root).free
    except OSError:
        free = 0
    return NotEnoughSpace(
        f"Not enough disk space to build the index in {root}: it needs about "
        f"{_megabytes(needed_bytes)} and {_megabytes(free)} is free. The live index was not "
        "changed; free some space and run 'signpost index' again."
    )


def _megabytes(count: int) -> str:
    return f"{max(count, 0) / 1_000_000:.1f} MB"
