"""What every ``signpost`` command shares: the --data and --index options, the settings
read once from them and the environment, the needs vocabulary and the gazetteer.

``signpost report`` (``insights/cli.py``) uses the same options.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from directory.settings import SettingError, Settings
from directory.vocabulary import Vocabulary, VocabularyError, load_vocabulary, vocabulary_path

if TYPE_CHECKING:
    from directory.places import Gazetteer

F = TypeVar("F", bound=Callable[..., object])

_data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder holding services/ and (optionally) needs.yaml. [env: SIGNPOST_DATA]",
)
_index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder where the search index is kept. [env: SIGNPOST_INDEX]",
)


def data_option(command: F) -> F:
    """``--data DIR`` (``SIGNPOST_DATA``), passed to the command as ``data_dir``."""
    return _data_option(command)


def index_option(command: F) -> F:
    """``--index DIR`` (``SIGNPOST_INDEX``), passed to the command as ``index_dir``."""
    return _index_option(command)


def settings_for(
    data_dir: Path | None = None, index_dir: Path | None = None, **overrides: object
) -> Settings:
    """The settings, read once: options (``overrides`` by variable name) beat the environment.

    A bad value is one line naming the variable, never a traceback.
    """
    try:
        return Settings.from_env(data_dir, index_dir, overrides=overrides)
    except SettingError as error:
        raise click.ClickException(str(error)) from None


def vocabulary_for(settings: Settings) -> Vocabulary:
    """The data folder's needs vocabulary (or the bundled one); a broken file is one message."""
    try:
        return load_vocabulary(vocabulary_path(settings.data_dir))
    except (OSError, VocabularyError) as error:
        raise click.ClickException(str(error)) from error


_GAZETTEER: list[Gazetteer] = []


def shared_gazetteer() -> Gazetteer:
    """The deployment's gazetteer (offline; home area and online fallback from settings),
    made once per process."""
    if not _GAZETTEER:
        from search.live import gazetteer_for

        _GAZETTEER.append(gazetteer_for(settings_for()))
    return _GAZETTEER[0]
