"""One settings object, read once: typed values, clear refusals, overrides over the environment.

``directory.settings.Settings`` is the only reader of ``SIGNPOST_*`` variables; the app, the
views, the command line and gunicorn's workers are handed it. ``signpost serve`` passes it
to its workers without touching ``os.environ``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli import main
from directory.settings import SettingError, Settings

BAD_VALUES = [
    ("SIGNPOST_STALE_MONTHS", "soon", "SIGNPOST_STALE_MONTHS must be a whole number, not 'soon'."),
    ("SIGNPOST_STALE_MONTHS", "0", "SIGNPOST_STALE_MONTHS must be at least 1."),
    ("SIGNPOST_WORKERS", "two", "SIGNPOST_WORKERS must be a whole number, not 'two'."),
    ("SIGNPOST_THREADS", "0", "SIGNPOST_THREADS must be at least 1."),
    ("SIGNPOST_PROXY_COUNT", "-1", "SIGNPOST_PROXY_COUNT must be at least 0."),
    (
        "SIGNPOST_WORKER_CLASS",
        "eventlet",
        "SIGNPOST_WORKER_CLASS must be one of gevent, gthread, not 'eventlet'.",
    ),
    ("SIGNPOST_ACCESS_LOG", "quiet", "SIGNPOST_ACCESS_LOG must be 'on' or 'off', not 'quiet'."),
    ("SIGNPOST_INSIGHTS", "Maybe", "SIGNPOST_INSIGHTS must be 'on' or 'off', not 'maybe'."),
    (
        "SIGNPOST_SUPPRESS_BELOW",
        "0",
        "SIGNPOST_SUPPRESS_BELOW must be a whole number from 1, not '0'.",
    ),
    (
        "SIGNPOST_INSIGHTS_FLUSH_SECONDS",
        "never",
        "SIGNPOST_INSIGHTS_FLUSH_SECONDS must be a number of seconds from 0 to 3600, not 'never'.",
    ),
    (
        "SIGNPOST_SHORTLIST_MAX_MINUTES",
        "2000",
        "SIGNPOST_SHORTLIST_MAX_MINUTES must be from 1 to 1440 (a day).",
    ),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_VALUES)
def test_a_bad_value_is_refused_with_a_clear_message(name, value, message):
    with pytest.raises(SettingError) as raised:
        Settings.from_env(environ={name: value})
    assert str(raised.value) == message
    with pytest.raises(SettingError) as raised:  # the same from an override
        Settings.from_env(environ={}, overrides={name: value})
    assert str(raised.value) == message


def test_values_are_parsed_to_their_types():
    settings = Settings.from_env(
        environ={
            "SIGNPOST_DATA": "/srv/listings",
            "SIGNPOST_STALE_MONTHS": " 6 ",
            "SIGNPOST_WORKERS": "3",
            "SIGNPOST_ACCESS_LOG": "off",
            "SIGNPOST_INSIGHTS": "OFF",
            "SIGNPOST_INSIGHTS_FLUSH_SECONDS": "0.5",
            "SIGNPOST_POSTCODE_CACHE": "/var/cache/signpost",
            "SIGNPOST_HOME_AREA": "  ",  # blank is unset
        }
    )
    assert settings.data_dir == Path("/srv/listings")
    assert settings.stale_months == 6
    assert settings.serve.workers == 3
    assert settings.serve.access_log is False
    assert settings.site.insights is False
    assert settings.site.insights_flush_seconds == 0.5
    assert settings.postcode_cache == Path("/var/cache/signpost")
    assert settings.home_area is None


def test_defaults_need_no_environment():
    settings = Settings.from_env(environ={})
    assert settings == Settings()
    assert settings.site.service_name == "Signpost"
    assert settings.site.repository_branch == "main"
    assert settings.serve.worker_class == "gevent"
    assert settings.serve.workers is None


def test_overrides_beat_the_environment_and_folders_beat_both():
    environ = {"SIGNPOST_PUBLIC_URL": "https://env.example", "SIGNPOST_DATA": "/env"}
    settings = Settings.from_env(
        "/option",
        environ=environ,
        overrides={"SIGNPOST_PUBLIC_URL": "https://config.example", "SIGNPOST_DATA": "/config"},
    )
    assert settings.site.public_url == "https://config.example"
    assert settings.data_dir == Path("/option")
    # An override left empty (an option not given) keeps what the environment says.
    kept = Settings.from_env(environ=environ, overrides={"SIGNPOST_PUBLIC_URL": None})
    assert kept.site.public_url == "https://env.example"


def test_settings_are_frozen():
    from dataclasses import FrozenInstanceError

    with pytest.raises(FrozenInstanceError):
        Settings().site.public_url = "https://elsewhere.example"  # type: ignore[misc]


def test_create_app_config_beats_the_environment_and_is_read_once(settings, monkeypatch):
    from app import create_app

    monkeypatch.setenv("SIGNPOST_SERVICE_NAME", "From the environment")
    monkeypatch.setenv("SIGNPOST_PUBLIC_URL", "https://env.example")
    app = create_app(
        {
            "TESTING": True,
            "SIGNPOST_DATA": str(settings.data_dir),
            "SIGNPOST_INDEX": str(settings.index_dir),
            "SIGNPOST_PUBLIC_URL": "https://config.example",
        }
    )
    found = app.config["SIGNPOST_SETTINGS"]
    assert found.site.public_url == "https://config.example"
    assert found.site.service_name == "From the environment"
    assert found.index_dir == settings.index_dir
    # Read once: a later change to the environment does not reach the running app.
    monkeypatch.setenv("SIGNPOST_SERVICE_NAME", "Changed later")
    assert "Changed later" not in app.test_client().get("/about").get_data(as_text=True)
    # Settings are not spread into Flask's own config under other names.
    assert "SERVICE_NAME" not in app.config
    assert "SIGNPOST_PUBLIC_URL" not in app.config


def test_create_app_refuses_a_bad_environment_value(settings, monkeypatch):
    from app import create_app

    monkeypatch.setenv("SIGNPOST_PROXY_COUNT", "one")
    with pytest.raises(SettingError, match="SIGNPOST_PROXY_COUNT must be a whole number"):
        create_app({"SIGNPOST_DATA": str(settings.data_dir)})


def test_serve_passes_settings_to_workers_without_changing_the_environment(
    settings, runner, monkeypatch
):
    import serving

    calls: list[dict] = []
    monkeypatch.setattr(serving, "run_gunicorn", lambda factory, **kw: calls.append(
        {"factory": factory, **kw}
    ))  # fmt: skip
    monkeypatch.setenv("SIGNPOST_ACCESS_LOG", "off")
    monkeypatch.setenv("SIGNPOST_WORKER_CLASS", "gthread")
    before = dict(os.environ)
    result = runner.invoke(
        main,
        ["serve", "--workers", "3", "--data", str(settings.data_dir),
         "--index", str(settings.index_dir)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert dict(os.environ) == before
    (call,) = calls
    assert call["workers"] == 3
    assert call["threads"] == 2
    assert call["worker_class"] == "gthread"
    assert call["access_log"] is False
    # What a worker builds after the fork: the app over the options' folders.
    built = call["factory"]().config["SIGNPOST_SETTINGS"]
    assert built.data_dir == settings.data_dir
    assert built.index_dir == settings.index_dir
    assert built.serve.workers == 3
    assert dict(os.environ) == before


@pytest.mark.parametrize(
    ("command", "name", "value", "message"),
    [
        (["validate"], "SIGNPOST_STALE_MONTHS", "soon", "must be a whole number, not 'soon'."),
        (["serve"], "SIGNPOST_THREADS", "many", "must be a whole number, not 'many'."),
        (
            ["report", "--counts-only"],
            "SIGNPOST_SUPPRESS_BELOW",
            "x",
            "must be a whole number from 1, not 'x'.",
        ),
    ],
)
def test_the_command_line_says_which_setting_is_wrong(runner, monkeypatch, command, name, value,
                                                      message):  # fmt: skip
    monkeypatch.setenv(name, value)
    result = runner.invoke(main, command)
    assert result.exit_code == 1
    assert f"Error: {name} {message}" in result.output
    assert "Traceback" not in result.output


def test_the_postcode_cache_setting_reaches_the_gazetteer(tmp_path, monkeypatch):
    import search.live
    from directory.places import default_gazetteer

    assert search.live.gazetteer_for(Settings()) is default_gazetteer()
    made: list[dict] = []
    monkeypatch.setattr(search.live, "Gazetteer", lambda **options: made.append(options))
    settings = Settings.from_env(environ={"SIGNPOST_POSTCODE_CACHE": str(tmp_path / "cache")})
    search.live.gazetteer_for(settings)
    assert made == [{"online": None, "prefer_near": None, "postcode_cache": tmp_path / "cache"}]
