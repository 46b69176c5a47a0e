import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[3]

SECRET_KEY = "a-production-secret-key-that-is-not-the-demo-one"
FIELD_KEY = base64.b64encode(b"f" * 32).decode()
INDEX_KEY = base64.b64encode(b"i" * 32).decode()


def _import_settings(**environment: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter, with no TUOYU_ variable but those given."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TUOYU_")}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", "import tuoyu.settings as s; print(s.TUOYU_ENV, s.DEBUG)"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_the_demo_secrets_naming_the_secret_key() -> None:
    result = _import_settings(TUOYU_ENV="production")
    assert result.returncode != 0
    assert "ImproperlyConfigured: TUOYU_SECRET_KEY must be set in production" in result.stderr


@pytest.mark.parametrize(
    ("environment", "missing"),
    [
        ({"TUOYU_FIELD_KEY": FIELD_KEY, "TUOYU_INDEX_KEY": INDEX_KEY}, "TUOYU_SECRET_KEY"),
        ({"TUOYU_SECRET_KEY": SECRET_KEY, "TUOYU_INDEX_KEY": INDEX_KEY}, "TUOYU_FIELD_KEY"),
        ({"TUOYU_SECRET_KEY": SECRET_KEY, "TUOYU_FIELD_KEY": FIELD_KEY}, "TUOYU_INDEX_KEY"),
    ],
)
def test_production_refuses_to_start_while_any_one_secret_keeps_its_demo_value(
    environment: dict[str, str], missing: str
) -> None:
    result = _import_settings(TUOYU_ENV="production", **environment)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {missing} must be set in production" in result.stderr


def test_production_starts_without_debug_when_all_three_secrets_are_set() -> None:
    result = _import_settings(
        TUOYU_ENV="production",
        TUOYU_SECRET_KEY=SECRET_KEY,
        TUOYU_FIELD_KEY=FIELD_KEY,
        TUOYU_INDEX_KEY=INDEX_KEY,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["production", "False"]


def test_the_demo_starts_on_the_demo_secrets() -> None:
    result = _import_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["demo", "True"]


def test_production_refuses_an_empty_secret() -> None:
    result = _import_settings(
        TUOYU_ENV="production",
        TUOYU_SECRET_KEY="",
        TUOYU_FIELD_KEY=FIELD_KEY,
        TUOYU_INDEX_KEY=INDEX_KEY,
    )
    assert result.returncode != 0
    assert "TUOYU_SECRET_KEY" in result.stderr
