"""Every setting is documented; configuration comes from the environment; broken geography stops start-up."""

import json
import shutil
from pathlib import Path

import pytest

from app import create_app
from geo.boundaries import BOUNDARIES_DIR, DISTRICTS_FILE, BoundaryError
from tests.helpers import PROJECT_DIR
from web.settings import SETTINGS

DOCS = PROJECT_DIR / "docs" / "configuration.md"


def test_every_setting_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"| `{s.name}` |" not in text]
    assert missing == []
    assert all(s.help for s in SETTINGS)


def test_environment_variables_override_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_TILES_URL", "https://tiles.example/{z}/{x}/{y}.png")
    monkeypatch.setenv("FLASK_LANGUAGES", "ru,kk")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert app.config["TILES_URL"] == "https://tiles.example/{z}/{x}/{y}.png"
    assert app.config["LANGUAGES"] == ("ru", "kk")
    assert app.config["SECRET_KEY"]  # generated when none is given


def test_without_a_secret_key_every_app_shares_one_kept_in_the_instance_folder(tmp_path):
    """gunicorn workers each make an app: they must agree on the key, or sessions and CSRF break."""
    first = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    key_file = Path(first.instance_path) / "secret_key"
    second = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) == 64 and key_file.stat().st_mode & 0o077 == 0


def test_database_defaults_to_the_instance_folder(tmp_path):
    app = create_app({"TESTING": True})
    assert app.config["DATABASE_URL"] == f"sqlite:///{Path(app.instance_path) / 'openbudget.sqlite3'}"


def test_broken_boundary_file_stops_start_up(tmp_path):
    broken = tmp_path / "boundaries"
    shutil.copytree(BOUNDARIES_DIR, broken)
    collection = json.loads((broken / DISTRICTS_FILE).read_text(encoding="utf-8"))
    collection["features"][3]["properties"]["kato"] = collection["features"][4]["properties"]["kato"]
    (broken / DISTRICTS_FILE).write_text(json.dumps(collection), encoding="utf-8")
    with pytest.raises(BoundaryError, match="repeats the codes"):
        create_app({"BOUNDARIES_DIR": str(broken), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
