import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from sosuckhoe.env import env_bool, env_int, env_list, env_url

REAL_KEY = "k" * 20 + "q8Z!x2@L9#pM4$rT7%vW1^yB6&nC3*eF5(gH0)jK"


def test_environment_helpers_read_good_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.vn, b.vn,")
    monkeypatch.setenv("X_URL", "redis://127.0.0.1:6379/0")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 0) == 42
    assert env_list("X_LIST", []) == ["a.vn", "b.vn"]
    assert env_url("X_URL", "", schemes=("redis",)) == "redis://127.0.0.1:6379/0"
    assert env_int("X_MISSING", 7) == 7


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (lambda: env_bool("X", False), "maybe"),
        (lambda: env_int("X", 0), "ten"),
        (lambda: env_int("X", 0, minimum=1), "0"),
        (lambda: env_url("X", "", schemes=("postgres",)), "mysql://x"),
    ],
)
def test_environment_helpers_refuse_malformed_values(monkeypatch, reader, value):
    monkeypatch.setenv("X", value)
    with pytest.raises(ImproperlyConfigured):
        reader()


def _run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SOSUCKHOE_"))}
    clean.pop("SECRET_KEY", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=clean | {"DJANGO_SETTINGS_MODULE": "sosuckhoe.settings"} | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_real_secret_key(tmp_path):
    for key in ("", "django-insecure-" + "x" * 60, "short"):
        result = _run_manage(
            "check", SOSUCKHOE_MODE="production", SECRET_KEY=key, ALLOWED_HOSTS="sosuckhoe.vn",
            SOSUCKHOE_VAR_DIR=str(tmp_path),
        )  # fmt: skip
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_check(tmp_path):
    result = _run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SOSUCKHOE_MODE="production", SECRET_KEY=REAL_KEY, ALLOWED_HOSTS="sosuckhoe.vn",
        SOSUCKHOE_VAR_DIR=str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_production_logs_are_json_lines(tmp_path):
    import json

    command = "import logging; logging.getLogger('sosuckhoe').warning('lô vắc xin hết hạn')"
    result = _run_manage(
        "shell", "-c", command,
        SOSUCKHOE_MODE="production", SECRET_KEY=REAL_KEY, ALLOWED_HOSTS="sosuckhoe.vn",
        SOSUCKHOE_VAR_DIR=str(tmp_path),
    )  # fmt: skip
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"]) == (
        "WARNING",
        "sosuckhoe",
        "lô vắc xin hết hạn",
    )
