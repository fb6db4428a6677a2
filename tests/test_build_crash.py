"""Builds killed at any moment, and full disks: the next build starts at once, nothing leaks.

Real ``kill -9`` on a process that builds in a loop, at random moments (seeded, so a failure
can be replayed): the lock is the kernel's ``flock``, so it dies with the process, and the
next build sweeps the staging folder the dead one left.
"""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli import main
from search import build as build_module
from search.build import build_index, current_build
from search.buildlock import NotEnoughSpace, build_lock
from tests.test_index import _listings
from tests.test_live_reindex import write_generation

ROOT = Path(__file__).resolve().parent.parent

BUILD_FOREVER = """
import sys
from pathlib import Path
from directory.places import default_gazetteer
from directory.settings import Settings
from search.publish import publish

settings = Settings(data_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]))
gazetteer = default_gazetteer()
print("ready", flush=True)
while True:
    publish(settings, gazetteer)
"""


def _leftovers(index: Path) -> list[str]:
    builds = index / "builds"
    names = [p.name for p in builds.iterdir()] if builds.is_dir() else []
    return [name for name in names if name.startswith(".")]


def test_builds_killed_at_random_moments_never_block_the_next(settings, template_text):
    folder = settings.services_dir / "thanet"
    write_generation(folder, template_text, 0, count=120)
    rng = random.Random(20261130)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    left_behind = 0
    for _ in range(6):
        process = subprocess.Popen(
            [sys.executable, "-c", BUILD_FOREVER, str(settings.data_dir), str(settings.index_dir)],
            stdout=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        try:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == b"ready"
            time.sleep(rng.uniform(0.05, 1.5))
            assert process.poll() is None, "the build loop stopped by itself"
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        left_behind += bool(_leftovers(settings.index_dir))
        # The lock died with the process: it can be taken at once, no waiting, no deleting.
        with build_lock(settings.index_dir):
            pass
    # A normal build now starts at once and sweeps whatever the dead ones left.
    from directory.places import default_gazetteer
    from search.publish import publish

    published = publish(settings, default_gazetteer())
    assert published.ok
    assert current_build(settings.index_dir) == published.info.folder
    assert _leftovers(settings.index_dir) == []
    print(f"{left_behind} of 6 kills left a staging folder; all swept")


def _disk_full(*args, **kwargs):
    folder = next(arg for arg in args if isinstance(arg, Path))  # the staging folder
    (folder / "partial.seg").write_bytes(b"0" * 1024)
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_is_one_clear_message(data_dir, vocab, tmp_path, monkeypatch):
    index = tmp_path / "ix"
    listings = _listings(data_dir, vocab)
    good = build_index(listings, index, vocab)
    monkeypatch.setattr(build_module, "_write_index", _disk_full)
    with pytest.raises(NotEnoughSpace) as caught:
        build_index(listings, index, vocab)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"Not enough disk space to build the index in {index}:")
    assert "it needs about " in message
    assert " MB and " in message
    assert " MB is free." in message
    assert "The live index was not changed" in message
    assert current_build(index) == good.folder
    assert _leftovers(index) == []


def test_cli_reports_a_full_disk_in_one_line(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "_write_index", _disk_full)
    result = runner.invoke(main, ["index", "--index", str(tmp_path / "ix"), "--quiet"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: Not enough disk space to build the index")
    assert "Traceback" not in result.output
