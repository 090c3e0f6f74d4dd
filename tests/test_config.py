"""Settings: file, environment and arguments; validation names the key."""
import datetime as dt
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from lms import create_app
from lms.config import SPEC, ConfigError, check_web_ready, load_settings

from .factories import run_lms

ROOT = Path(__file__).resolve().parent.parent


def _flatten(table, prefix=""):
    for key, value in table.items():
        if isinstance(value, dict) and f"{prefix}{key}" != "kpi.mappings":  # a table of tables, one key
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def test_example_config_documents_every_key_and_loads():
    example = ROOT / "config.example.toml"
    assert set(_flatten(tomllib.loads(example.read_text(encoding="utf-8")))) == set(SPEC)
    settings = load_settings(example, environ={})
    assert settings["timezone"] == "Asia/Shanghai"
    assert settings["database.url"] == "sqlite:///instance/lms.db"


def test_defaults_without_a_file():
    settings = load_settings(None, environ={"LMS_CONFIG": ""})
    assert settings["default_locale"] == "zh_CN" and settings["env"] == "development"
    assert settings["calendar.workdays"] == [1, 2, 3, 4, 5]


def test_environment_overrides_the_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('timezone = "Asia/Shanghai"\n[database]\nurl = "sqlite:///a.db"\n')
    settings = load_settings(path, environ={
        "LMS_DATABASE_URL": "postgresql://u@h/db", "LMS_CALENDAR_HOLIDAYS": "2026-10-01, 2026-10-02",
        "LMS_SECURITY_ACCOUNT_MAX_FAILURES": "7", "LMS_NOTIFICATIONS_SMTP_STARTTLS": "no",
        "LMS_SECURITY_TRUSTED_PROXIES": "10.0.0.0/8"})
    assert settings["database.url"] == "postgresql://u@h/db"
    assert settings["calendar.holidays"] == [dt.date(2026, 10, 1), dt.date(2026, 10, 2)]
    assert settings["security.account_max_failures"] == 7
    assert settings["notifications.smtp.starttls"] is False
    assert str(settings["security.trusted_proxies"][0]) == "10.0.0.0/8"


@pytest.mark.parametrize("content, environ, named", [
    ('[database]\nurl = 5\n', {}, "database.url"),
    ('colour = "blue"\n', {}, "colour"),
    ('timezone = "Mars/Olympus"\n', {}, "timezone"),
    ('default_locale = "fr"\n', {}, "default_locale"),
    ('[calendar]\nworkdays = [0, 8]\n', {}, "calendar.workdays"),
    ('[calendar]\nholidays = ["2026-13-01"]\n', {}, "calendar.holidays"),
    ('[security]\ntrusted_proxies = ["not-an-ip"]\n', {}, "security.trusted_proxies"),
    ('[security]\nmin_password_length = 4\n', {}, "security.min_password_length"),
    ('', {"LMS_SECURITY_LOCKOUT_MINUTES": "soon"}, "LMS_SECURITY_LOCKOUT_MINUTES"),
    ('this is = not toml', {}, "not valid TOML"),
])
def test_bad_values_name_the_key(tmp_path, content, environ, named):
    path = tmp_path / "c.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ=environ)
    assert named in str(error.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_create_app_overrides_by_short_name(database_url):
    app = create_app(database_url=database_url, timezone="UTC", TESTING=True)
    assert app.config["LMS_TIMEZONE"] == "UTC" and app.config["LMS_DATABASE_URL"] == database_url
    with pytest.raises(ConfigError, match="no_such_setting"):
        create_app(no_such_setting=1)


def test_production_web_server_needs_a_real_secret():
    for secret in ("", "dev-insecure-change-me", "short"):
        with pytest.raises(ConfigError, match="secret_key"):
            check_web_ready(load_settings(None, {"env": "production", "secret_key": secret}, environ={}))
    check_web_ready(load_settings(None, {"env": "production", "secret_key": "x" * 40}, environ={}))
    check_web_ready(load_settings(None, {"env": "development"}, environ={}))


def test_cli_works_in_production_without_a_secret_but_serve_refuses(tmp_path):
    env = {"LMS_ENV": "production", "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/lms.db"}
    assert run_lms("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    served = run_lms("serve", "--port", "5999", env=env, cwd=tmp_path)
    assert served.returncode == 2 and "secret_key" in served.stderr


def test_bad_config_is_a_usage_error_naming_the_key(tmp_path):
    result = run_lms("user", "list", env={"LMS_TIMEZONE": "Nowhere/Land"}, cwd=tmp_path)
    assert result.returncode == 2 and "timezone" in result.stderr and "Traceback" not in result.stderr


def test_wsgi_entry_refuses_default_secret_in_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update({"LMS_ENV": "production", "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/lms.db"})
    result = subprocess.run([sys.executable, "-c", "import lms.wsgi"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=60)
    assert result.returncode != 0 and "secret_key" in result.stderr


def test_kpi_mappings_are_checked(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[kpi.mappings.mine]\n"工号" = "employee_no"\n"日" = "date"\n"量" = "contacts"\n',
                    encoding="utf-8")
    assert load_settings(path, environ={})["kpi.mappings"]["mine"]["量"] == "contacts"
    for body, message in (('[kpi.mappings.mine]\n"工号" = "employee"\n', "unknown field 'employee'"),
                          ('[kpi.mappings.mine]\n"工号" = "employee_no"\n', "no header maps to date"),
                          ('[kpi.mappings.zh]\n"工号" = "employee_no"\n"日" = "date"\n', "built-in")):
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_settings(path, environ={})
    with pytest.raises(ConfigError, match="JSON"):
        load_settings(None, environ={"LMS_CONFIG": "", "LMS_KPI_MAPPINGS": "{nope"})
    env = load_settings(None, environ={"LMS_CONFIG": "",
                                       "LMS_KPI_MAPPINGS": '{"x": {"no": "employee_no", "d": "date"}}'})
    assert env["kpi.mappings"] == {"x": {"no": "employee_no", "d": "date"}}


def test_kpi_rules_and_micro_task_focus_are_checked(tmp_path):
    path = tmp_path / "c.toml"
    good = '[[microtasks.kpi_rules]]\nname = "low"\nkpi = "fcr"\nthreshold = 0.6\nactivity = "x"\n'
    path.write_text(good, encoding="utf-8")
    rule = load_settings(path, environ={})["microtasks.kpi_rules"][0]
    assert rule["days"] == 3 and rule["cooldown_days"] == 14  # defaults filled in
    for body, message in ((good.replace('"fcr"', '"nps"'), "one of fcr"), (good.replace('activity = "x"\n', ""),
                          "missing activity"), (good + "colour = 1\n", "unknown key 'colour'"),
                          (good + good, "used twice"), ('[microtasks]\nissue_time = "25:00"\n', "HH:MM"),
                          ('[microtasks.focus]\nelite = ["empathy"]\n', "seven skill slugs")):
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_settings(path, environ={})
