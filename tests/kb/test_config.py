"""Settings resolve flag first, then environment, then default."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.config import SETTINGS


def test_flag_beats_environment_beats_default() -> None:
    index = SETTINGS["index"]
    env = {"KB_INDEX": "/srv/kb-index"}
    assert index.resolve("/tmp/flag", env) == Path("/tmp/flag")
    assert index.resolve(None, env) == Path("/srv/kb-index")
    assert index.resolve(None, {}) == Path(".kb/index")
    assert index.resolve(None, {"KB_INDEX": ""}) == Path(".kb/index")


def test_numbers_are_converted_and_bad_ones_named() -> None:
    port = SETTINGS["port"]
    assert port.resolve(None, {"KB_PORT": "8080"}) == 8080
    with pytest.raises(ValueError, match="KB_PORT must be a whole number, got 'eighty'"):
        port.resolve(None, {"KB_PORT": "eighty"})


def test_every_setting_has_an_env_variable_and_help() -> None:
    for setting in SETTINGS.values():
        assert setting.env == "KB_" + setting.name.upper()
        assert setting.help.endswith(".")
