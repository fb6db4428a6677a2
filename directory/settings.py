"""Where the listings and the index live, and other deployment choices.

Every command and the web app read the same settings, from command-line options first, then
``SIGNPOST_*`` environment variables, then defaults that work in a fresh clone, so the same
code can serve any council's or charity's folder of listings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_file(data_dir: str | os.PathLike[str] | None, name: str, bundled: Path) -> Path:
    """A data folder's own copy of ``name`` (needs.yaml, urgent-help.yaml) when it has one,
    else the copy bundled with Signpost."""
    if data_dir is not None:
        candidate = Path(data_dir) / name
        if candidate.is_file():
            return candidate
    return bundled


class SettingError(ValueError):
    """An environment variable holds something the setting cannot use; says which."""


def int_env(name: str, default: int | None, *, minimum: int | None = None) -> int | None:
    """A whole-number setting from the environment, or ``default`` when it is unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingError(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise SettingError(f"{name} must be at least {minimum}.")
    return number


def _int_env(name: str, default: int) -> int:
    try:
        return int_env(name, default)  # type: ignore[return-value]
    except SettingError as error:
        raise SystemExit(str(error)) from None


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "data")
    index_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "instance" / "index")
    stale_months: int = 12
    geocoder: str | None = None  # e.g. "nominatim"; None keeps everything offline
    geocoder_user_agent: str = ""  # online geocoders need one that names the deployment
    home_area: str | None = None  # e.g. "CT9": same-named places nearest here win ("Minster")

    @property
    def services_dir(self) -> Path:
        return self.data_dir / "services"

    @classmethod
    def from_env(
        cls,
        data_dir: str | os.PathLike[str] | None = None,
        index_dir: str | os.PathLike[str] | None = None,
    ) -> Settings:
        defaults = cls()
        data = data_dir or os.environ.get("SIGNPOST_DATA") or defaults.data_dir
        index = index_dir or os.environ.get("SIGNPOST_INDEX") or defaults.index_dir
        return cls(
            data_dir=Path(data),
            index_dir=Path(index),
            stale_months=_int_env("SIGNPOST_STALE_MONTHS", defaults.stale_months),
            geocoder=os.environ.get("SIGNPOST_GEOCODER") or None,
            geocoder_user_agent=os.environ.get("SIGNPOST_GEOCODER_USER_AGENT", ""),
            home_area=os.environ.get("SIGNPOST_HOME_AREA", "").strip() or None,
        )
