from __future__ import annotations

from pathlib import Path

import pytest

from carbontrail.config import SETTINGS, load_settings
from carbontrail.errors import ConfigError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented():
    if not DOCS.exists():
        pytest.skip("docs are not shipped beside the installed tests")
    text = DOCS.read_text()
    for s in SETTINGS:
        assert f"`{s.env}`" in text and f"`{s.name}`" in text, s.name


def test_precedence_argument_env_project_file_user_file(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('location = "DE"\npue = 1.3\nproject = "from-user"\n')
    proj = tmp_path / "proj" / "sub"
    proj.mkdir(parents=True)
    (tmp_path / "proj" / "carbontrail.toml").write_text('[carbontrail]\nlocation = "FR"\nproject = "from-project"\n')
    env = {"CARBONTRAIL_HOME": str(home), "CARBONTRAIL_PROJECT": "from-env"}
    s = load_settings(env=env, cwd=proj)
    assert s.location == "FR" and s.sources["location"].endswith("carbontrail.toml")
    assert s.pue == 1.3 and s.sources["pue"].endswith("config.toml")
    assert s.project == "from-env" and s.sources["project"] == "env CARBONTRAIL_PROJECT"
    s = load_settings(overrides={"project": "from-arg", "location": None}, env=env, cwd=proj)
    assert s.project == "from-arg" and s.sources["project"] == "argument" and s.location == "FR"


@pytest.mark.parametrize("env,msg", [
    ({"CARBONTRAIL_PUE": "0.9"}, "PUE must be >= 1.0"),
    ({"CARBONTRAIL_INTERVAL": "fast"}, "must be a number"),
    ({"CARBONTRAIL_SCOPE": "galaxy"}, "scope must be"),
])
def test_bad_values_name_the_variable(tmp_path, env, msg):
    with pytest.raises(ConfigError, match=msg) as exc:
        load_settings(env={"CARBONTRAIL_HOME": str(tmp_path), **env}, cwd=tmp_path)
    assert next(iter(env)) in str(exc.value)


def test_unknown_key_in_a_file_is_an_error(tmp_path):
    (tmp_path / "carbontrail.toml").write_text('locaton = "FR"\n')
    with pytest.raises(ConfigError, match="unknown setting 'locaton'"):
        load_settings(env={"CARBONTRAIL_HOME": str(tmp_path / "h")}, cwd=tmp_path)


def test_broken_toml_is_an_error(tmp_path):
    (tmp_path / "carbontrail.toml").write_text('location = "FR\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(env={"CARBONTRAIL_HOME": str(tmp_path / "h")}, cwd=tmp_path)


def test_secrets_are_masked():
    s = load_settings(env={"CARBONTRAIL_ELECTRICITYMAPS_TOKEN": "sekrit"}, use_files=False)
    assert s.public_dict()["electricitymaps_token"] == "(set)"
    assert "sekrit" not in repr(s.public_dict())


def test_secrets_stay_out_of_repr():
    s = load_settings(env={"CARBONTRAIL_WATTTIME_PASSWORD": "hunter2",
                           "CARBONTRAIL_ELECTRICITYMAPS_TOKEN": "tok-123"}, use_files=False)
    assert "hunter2" not in repr(s) and "tok-123" not in repr(s)
    assert s.watttime_password == "hunter2"
