"""Settings: a TOML file plus LMS_* environment overrides, validated into one object.

Every key lives in SPEC with its type and default; config.example.toml documents the same
keys (a test keeps the two in step). A key's environment name is LMS_ + the dotted key in
upper case with dots as underscores: `database.url` -> LMS_DATABASE_URL.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import re
import tomllib
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

DEV_SECRET_KEY = "dev-insecure-change-me"
LOCALES = ("zh_CN", "en")
ENVIRONMENTS = ("development", "production")


DEFAULT_FOCUS = ("listening", "empathy", "problem-diagnosis", "objection-handling", "closing",
                 "emotion-management", "compliance")


# The learning-path rules used when none are configured (config.example.toml ships the same).
DEFAULT_LEARNING_RULES = [
    {"name": "weak-empathy", "skill": "empathy", "below": 0.6,
     "content": ["newcomer-emotion-soothing", "advanced-emotion-management", "drill-angry-complaint",
                 "drill-logistics-delay"],
     "reason": "Your empathy score is low: practise naming the customer's feelings and the soothing formula."},
    {"name": "weak-diagnosis", "skill": "problem-diagnosis", "below": 0.6,
     "content": ["advanced-three-dimension-diagnosis", "advanced-case-workshop", "drill-refund-objection",
                 "drill-multi-issue-case"],
     "reason": "Your problem diagnosis is weak: practise the three dimensions on complex cases."},
    {"name": "low-csat", "kpi": "csat", "below": 0.85, "weeks": 4,
     "content": ["newcomer-emotion-soothing", "drill-angry-complaint", "drill-logistics-delay", "advanced-emotion"],
     "reason": "Your customer satisfaction is below target: work on empathy and soothing upset customers."},
    {"name": "high-aht", "kpi": "aht", "above": 480, "weeks": 4,
     "content": ["newcomer-service-process", "advanced-three-dimension-diagnosis", "drill-talkative-consultation",
                 "advanced-diagnosis"],
     "reason": "Your contacts take long: answer conclusion first and find answers quickly in the tools."},
    {"name": "low-fcr", "kpi": "fcr", "below": 0.75, "weeks": 4,
     "content": ["advanced-three-dimension-diagnosis", "drill-refund-objection", "drill-multi-issue-case",
                 "advanced-diagnosis"],
     "reason": "Too few of your contacts are resolved the first time: practise problem diagnosis."},
]


class ConfigError(Exception):
    """A setting is missing, unknown or has a bad value; the message names the key."""


@dataclass(frozen=True)
class Key:
    type: str  # str, int, float, floats, bool, weekdays, dates, networks, choice, timezone, mappings,
    #            week_skills, clock, kpi_rules, learning_rules
    default: object
    choices: tuple = ()
    minimum: int | None = None


SPEC: dict[str, Key] = {
    "env": Key("choice", "development", ENVIRONMENTS),
    "secret_key": Key("str", DEV_SECRET_KEY),
    "timezone": Key("timezone", "Asia/Shanghai"),
    "default_locale": Key("choice", "zh_CN", LOCALES),
    "base_template": Key("str", "lms/_shell.html"),
    "database.url": Key("str", "sqlite:///instance/lms.db"),
    "database.pool_size": Key("int", 10, minimum=1),
    "database.busy_timeout_ms": Key("int", 5000, minimum=0),
    "calendar.workdays": Key("weekdays", [1, 2, 3, 4, 5]),
    "calendar.holidays": Key("dates", []),
    "calendar.makeup_workdays": Key("dates", []),
    "security.account_max_failures": Key("int", 5, minimum=1),
    "security.address_max_failures": Key("int", 50, minimum=1),
    "security.failure_window_minutes": Key("int", 15, minimum=1),
    "security.lockout_minutes": Key("int", 15, minimum=1),
    "security.trusted_proxies": Key("networks", []),
    "security.session_hours": Key("int", 12, minimum=1),
    "security.min_password_length": Key("int", 10, minimum=8),
    "security.invite_ttl_hours": Key("int", 72, minimum=1),
    "security.max_upload_mb": Key("int", 20, minimum=1),
    "notifications.smtp.host": Key("str", ""),
    "notifications.smtp.port": Key("int", 587, minimum=1),
    "notifications.smtp.username": Key("str", ""),
    "notifications.smtp.password": Key("str", ""),
    "notifications.smtp.sender": Key("str", ""),
    "notifications.smtp.starttls": Key("bool", True),
    "notifications.webhook.url": Key("str", ""),
    "notifications.webhook.kind": Key("choice", "wecom", ("wecom", "dingtalk", "feishu", "generic")),
    "placement.advanced_min_tenure_months": Key("int", 6, minimum=0),
    "placement.elite_top_percent": Key("int", 10, minimum=1),
    "placement.elite_kpi_weeks": Key("int", 8, minimum=1),
    "placement.elite_gate": Key("str", "elite-gate"),
    "placement.elite_min_contacts": Key("int", 100, minimum=1),
    "placement.composite.fcr": Key("float", 0.4, minimum=0),
    "placement.composite.csat": Key("float", 0.4, minimum=0),
    "placement.composite.aht": Key("float", 0.2, minimum=0),
    "placement.auto_apply": Key("bool", False),
    # The KPI registry: band thresholds (far below | below | met | exceeded) and the smallest
    # denominator below which a value is flagged "too few contacts".
    "kpi.fcr.bands": Key("floats", [0.6, 0.75, 0.85]),
    "kpi.fcr.min_contacts": Key("int", 20, minimum=1),
    "kpi.aht.bands": Key("floats", [600, 480, 360]),
    "kpi.aht.min_contacts": Key("int", 20, minimum=1),
    "kpi.csat.bands": Key("floats", [0.75, 0.85, 0.92]),
    "kpi.csat.min_responses": Key("int", 10, minimum=1),
    "kpi.repeat.bands": Key("floats", [0.2, 0.15, 0.1]),
    "kpi.repeat.min_contacts": Key("int", 20, minimum=1),
    # Window-based counts (repeat contacts within 7 days) of this many most recent days are not final.
    "kpi.provisional_days": Key("int", 7, minimum=0),
    # Further KPI import column mappings: [kpi.mappings.NAME] header = "canonical field".
    "kpi.mappings": Key("mappings", {}),
    # Daily micro-tasks: the skill focus of each weekday (Monday first) per tier, and when they are issued.
    "microtasks.focus.newcomer": Key("week_skills", list(DEFAULT_FOCUS)),
    "microtasks.focus.advanced": Key("week_skills", list(DEFAULT_FOCUS)),
    "microtasks.focus.elite": Key("week_skills", list(DEFAULT_FOCUS)),
    "microtasks.issue_time": Key("clock", "06:30"),
    # KPI rules: an agent off target for some working days in a row gets a lesson, quiz or drill.
    "microtasks.kpi_rules": Key("kpi_rules", []),
    # The manager dashboard: the recent period, and when an agent counts as at risk.
    "dashboard.kpi_weeks": Key("int", 4, minimum=1),
    "dashboard.fcr_drop": Key("float", 0.05, minimum=0),
    "dashboard.csat_drop": Key("float", 0.05, minimum=0),
    "dashboard.aht_rise": Key("float", 0.10, minimum=0),
    "dashboard.stalled_days": Key("int", 14, minimum=1),
    "dashboard.missed_tasks": Key("int", 3, minimum=1),
    # The training impact report (difference-in-differences; see lms/services/impact_stats.py).
    "impact.window_days": Key("int", 28, minimum=7),
    "impact.pre_periods": Key("int", 4, minimum=4),
    "impact.min_n": Key("int", 10, minimum=2),
    "impact.min_contacts": Key("int", 20, minimum=1),
    "impact.bootstrap": Key("int", 1000, minimum=100),
    # The scheduler process (lms/scheduler.py): standby polling, catch-up, stale-claim lease.
    "scheduler.standby_poll_seconds": Key("int", 10, minimum=1),
    "scheduler.catch_up_days": Key("int", 7, minimum=0),
    "scheduler.lease_minutes": Key("int", 60, minimum=1),
    # Customers' personal data in cases (lms/services/masking.py): what is masked on creation, and
    # whether, and for how many days, the unmasked original is kept (visible to trainers only).
    "privacy.mask_phone": Key("bool", True),
    "privacy.mask_id_card": Key("bool", True),
    "privacy.mask_bank_card": Key("bool", True),
    "privacy.mask_email": Key("bool", True),
    "privacy.mask_names": Key("bool", True),
    "privacy.keep_original": Key("bool", False),
    "privacy.retention_days": Key("int", 90, minimum=1),
    # Weekly case reviews: how long after a grade the agent may contest a criterion.
    "reviews.dispute_days": Key("int", 7, minimum=1),
    # Peer review (advanced tier): reviews per submission, how long a peer holds one, and the days
    # after the due day that peers have before a submission stops waiting for them.
    "reviews.peer_reviews": Key("int", 2, minimum=1),
    "reviews.peer_lease_minutes": Key("int", 30, minimum=1),
    "reviews.peer_days": Key("int", 3, minimum=0),
    # Grader calibration: a grader further than this from the reference grader (points of 100) is flagged.
    "reviews.calibration_threshold": Key("float", 5.0, minimum=0),
    # Mentorship: how many newcomers one elite mentor coaches at a time.
    "mentoring.max_mentees": Key("int", 3, minimum=1),
    # Capability profile (lms/services/capability.py): evidence weighs half as much every
    # half_life_days; a skill with fewer evidence rows than min_evidence shows no score.
    "profile.half_life_days": Key("int", 30, minimum=1),
    "profile.min_evidence": Key("int", 3, minimum=1),
    # Learning paths (lms/services/learning_path.py): weak skills and KPIs -> content, with a reason.
    "learning.rules": Key("learning_rules", DEFAULT_LEARNING_RULES),
    "paths.courses": Key("str", ""),
    "paths.assessments": Key("str", ""),
    "paths.uploads": Key("str", "instance/uploads"),
}


def env_name(key: str) -> str:
    return "LMS_" + key.replace(".", "_").upper()


# create_app(database_url=...) names a key the way its environment variable does.
_BY_SHORT_NAME = {env_name(key)[4:].lower(): key for key in SPEC}


def _flatten(table: dict, prefix: str = "") -> dict:
    flat = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and not (key in SPEC and SPEC[key].type == "mappings"):
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = value
    return flat


def _from_text(key: str, spec: Key, text: str):
    """Environment values are text: turn them into what a TOML file would hold."""
    if spec.type == "float":
        try:
            return float(text)
        except ValueError:
            raise ConfigError(f"{env_name(key)}: expected a number, got {text!r}") from None
    if spec.type == "int":
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"{env_name(key)}: expected a whole number, got {text!r}") from None
    if spec.type == "bool":
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{env_name(key)}: expected true or false, got {text!r}")
    if spec.type in ("weekdays", "dates", "networks", "floats", "week_skills"):
        return [part.strip() for part in text.split(",") if part.strip()]
    if spec.type in ("mappings", "kpi_rules", "learning_rules"):
        try:
            return json.loads(text)
        except ValueError:
            raise ConfigError(f"{env_name(key)}: expected a JSON object of mappings, got {text!r}") from None
    return text


def _validate(key: str, spec: Key, value, source: str):
    where = f"{key} (in {source})"
    if spec.type == "clock":
        if not isinstance(value, str) or not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value):
            raise ConfigError(f"{where}: expected a time of day HH:MM, got {value!r}")
        return value
    if spec.type == "week_skills":
        if not isinstance(value, list) or len(value) != 7 or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{where}: expected seven skill slugs, Monday to Sunday, got {value!r}")
        return value
    if spec.type in ("str", "timezone", "choice"):
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected text, got {value!r}")
        if spec.type == "choice" and value not in spec.choices:
            raise ConfigError(f"{where}: must be one of {', '.join(spec.choices)}, got {value!r}")
        if spec.type == "timezone":
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ConfigError(f"{where}: unknown time zone {value!r}") from None
        return value
    if spec.type == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected a whole number, got {value!r}")
        if spec.minimum is not None and value < spec.minimum:
            raise ConfigError(f"{where}: must be at least {spec.minimum}, got {value}")
        return value
    if spec.type == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        if spec.minimum is not None and value < spec.minimum:
            raise ConfigError(f"{where}: must be at least {spec.minimum}, got {value}")
        return float(value)
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if spec.type == "mappings":
        return _validate_mappings(where, value)
    if spec.type == "kpi_rules":
        return _validate_kpi_rules(where, value)
    if spec.type == "learning_rules":
        return _validate_learning_rules(where, value)
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list, got {value!r}")
    if spec.type == "floats":
        try:
            numbers = [float(item) for item in value if not isinstance(item, bool)]
        except (TypeError, ValueError):
            numbers = []
        if len(numbers) != 3 or len(value) != 3:
            raise ConfigError(f"{where}: expected three numbers (far below | below | met | exceeded), got {value!r}")
        if numbers != sorted(numbers) and numbers != sorted(numbers, reverse=True):
            raise ConfigError(f"{where}: the three thresholds must rise (or, lower being better, fall)")
        return numbers
    if spec.type == "weekdays":
        days = []
        for item in value:
            try:
                day = int(item)
            except (TypeError, ValueError):
                day = 0
            if not 1 <= day <= 7:
                raise ConfigError(f"{where}: weekdays are 1 (Monday) to 7 (Sunday), got {item!r}")
            days.append(day)
        return sorted(set(days))
    if spec.type == "dates":
        dates = []
        for item in value:
            if isinstance(item, dt.date):
                dates.append(item)
                continue
            try:
                dates.append(dt.date.fromisoformat(str(item)))
            except ValueError:
                raise ConfigError(f"{where}: dates are YYYY-MM-DD, got {item!r}") from None
        return sorted(set(dates))
    networks = []
    for item in value:
        try:
            networks.append(ipaddress.ip_network(str(item), strict=False))
        except ValueError:
            raise ConfigError(f"{where}: not an IP address or network: {item!r}") from None
    return networks


RULE_KEYS = {"name": str, "kpi": str, "threshold": (int, float), "days": int, "activity": str,
             "cooldown_days": int, "due_days": int, "min_contacts": int}


def _validate_kpi_rules(where: str, value) -> list[dict]:
    """[[microtasks.kpi_rules]]: name, kpi (fcr|aht|csat|repeat), threshold, days, activity (a slug),
    cooldown_days, due_days, min_contacts (a day with fewer does not count either way)."""
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected [[microtasks.kpi_rules]] tables, got {value!r}")
    rules, names = [], set()
    for index, rule in enumerate(value, 1):
        at = f"{where}[{index}]"
        if not isinstance(rule, dict):
            raise ConfigError(f"{at}: expected a table, got {rule!r}")
        for key, item in rule.items():
            if key not in RULE_KEYS:
                raise ConfigError(f"{at}: unknown key {key!r} (allowed: {', '.join(RULE_KEYS)})")
            if isinstance(item, bool) or not isinstance(item, RULE_KEYS[key]):
                raise ConfigError(f"{at}.{key}: wrong type {item!r}")
        for key in ("name", "kpi", "threshold", "activity"):
            if key not in rule:
                raise ConfigError(f"{at}: missing {key}")
        if rule["kpi"] not in ("fcr", "aht", "csat", "repeat"):
            raise ConfigError(f"{at}.kpi: one of fcr, aht, csat, repeat, got {rule['kpi']!r}")
        if rule["name"] in names:
            raise ConfigError(f"{at}.name: {rule['name']!r} is used twice")
        names.add(rule["name"])
        full = {"days": 3, "cooldown_days": 14, "due_days": 3, "min_contacts": 10, **rule}
        if min(full["days"], full["due_days"]) < 1 or min(full["cooldown_days"], full["min_contacts"]) < 0:
            raise ConfigError(f"{at}: days and due_days must be at least 1, cooldown_days and min_contacts 0")
        rules.append(full)
    return rules


LEARNING_RULE_KEYS = {"name": str, "skill": str, "kpi": str, "below": (int, float), "above": (int, float),
                      "weeks": int, "min_contacts": int, "content": list, "reason": str}
_CONTENT_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _validate_learning_rules(where: str, value) -> list[dict]:
    """[[learning.rules]]: name; a skill (`skill`, `below` a score 0-1) or a KPI (`kpi`, `below` or
    `above`, over the last `weeks` weeks, at least `min_contacts` (CSAT: responses), default the
    registry's minimum); `content`: lesson/activity, drill or bank slugs; `reason`: the message shown."""
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected [[learning.rules]] tables, got {value!r}")
    rules, names = [], set()
    for index, rule in enumerate(value, 1):
        if not isinstance(rule, dict):
            raise ConfigError(f"{where}: rule {index}: expected a table, got {rule!r}")
        at = f"{where}: rule {rule['name']!r}" if isinstance(rule.get("name"), str) else f"{where}: rule {index}"
        for key, item in rule.items():
            if key not in LEARNING_RULE_KEYS:
                raise ConfigError(f"{at}: unknown key {key!r} (allowed: {', '.join(LEARNING_RULE_KEYS)})")
            if isinstance(item, bool) or not isinstance(item, LEARNING_RULE_KEYS[key]):
                raise ConfigError(f"{at}, {key}: wrong type {item!r}")
        for key in ("name", "content", "reason"):
            if key not in rule:
                raise ConfigError(f"{at}: missing {key}")
        if rule["name"] in names:
            raise ConfigError(f"{at}, name: used twice")
        names.add(rule["name"])
        if ("skill" in rule) == ("kpi" in rule):
            raise ConfigError(f"{at}: give either skill or kpi")
        if ("below" in rule) == ("above" in rule):
            raise ConfigError(f"{at}: give either below or above")
        limit = "below" if "below" in rule else "above"
        full = dict(rule)
        if "skill" in rule:
            for key in ("above", "weeks", "min_contacts"):
                if key in rule:
                    raise ConfigError(f"{at}, {key}: not for a skill rule (a skill rule has below)")
            if not 0 < rule["below"] <= 1:
                raise ConfigError(f"{at}, below: a skill score is between 0 and 1, got {rule['below']!r}")
        else:
            if rule["kpi"] not in ("fcr", "aht", "csat", "repeat"):
                raise ConfigError(f"{at}, kpi: one of fcr, aht, csat, repeat, got {rule['kpi']!r}")
            if rule[limit] <= 0 or (rule["kpi"] != "aht" and rule[limit] > 1):
                expected = "seconds above 0" if rule["kpi"] == "aht" else "a rate between 0 and 1"
                raise ConfigError(f"{at}, {limit}: expected {expected}, got {rule[limit]!r}")
            full.setdefault("weeks", 4)
            full.setdefault("min_contacts", None)
            if full["weeks"] < 1 or (full["min_contacts"] is not None and full["min_contacts"] < 1):
                raise ConfigError(f"{at}: weeks and min_contacts must be at least 1")
        if not rule["content"] or not all(isinstance(s, str) and _CONTENT_SLUG.match(s) for s in rule["content"]):
            raise ConfigError(f"{at}, content: expected a list of content slugs, got {rule['content']!r}")
        if not rule["reason"].strip():
            raise ConfigError(f"{at}, reason: must not be empty")
        rules.append(full)
    return rules


def _validate_mappings(where: str, value) -> dict:
    """{name: {header: field}}: each a KPI import mapping naming at least employee_no and date."""
    from .services.kpi_rows import FIELDS, MAPPINGS

    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected tables [kpi.mappings.NAME], got {value!r}")
    mappings = {}
    for name, columns in value.items():
        if name in MAPPINGS:
            raise ConfigError(f"{where}: {name!r} is a built-in mapping; choose another name")
        if not isinstance(columns, dict) or not columns:
            raise ConfigError(f"{where}.{name}: expected header = \"field\" pairs, got {columns!r}")
        for header, field_name in columns.items():
            if field_name not in FIELDS:
                raise ConfigError(f"{where}.{name}: header {header!r} maps to unknown field {field_name!r}; "
                                  f"fields are {', '.join(FIELDS)}")
        for needed in ("employee_no", "date"):
            if needed not in columns.values():
                raise ConfigError(f"{where}.{name}: no header maps to {needed}")
        mappings[name] = dict(columns)
    return mappings


class Settings(dict):
    """The validated settings, keyed by dotted name."""

    def flask_config(self) -> dict:
        """The same settings as upper-case LMS_* Flask keys (Flask ignores lower-case ones)."""
        return {env_name(key): value for key, value in self.items()}


def default_config_path() -> Path | None:
    explicit = os.environ.get("LMS_CONFIG")
    if explicit:
        return Path(explicit)
    local = Path("instance/config.toml")
    return local if local.exists() else None


def load_settings(config_path=None, overrides: dict | None = None, environ=None) -> Settings:
    """Defaults, then the TOML file, then LMS_* variables, then explicit overrides."""
    environ = os.environ if environ is None else environ
    raw: dict[str, tuple[object, str]] = {key: (spec.default, "defaults") for key, spec in SPEC.items()}
    path = Path(config_path) if config_path else default_config_path()
    if path is not None:
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        for key, value in _flatten(table).items():
            if key not in SPEC:
                raise ConfigError(f"{path}: unknown setting {key!r}")
            raw[key] = (value, str(path))
    for key, spec in SPEC.items():
        name = env_name(key)
        if name in environ and name != "LMS_CONFIG":
            raw[key] = (_from_text(key, spec, environ[name]), f"environment variable {name}")
    for name, value in (overrides or {}).items():
        key = name if name in SPEC else _BY_SHORT_NAME.get(name.lower())
        if key is None:
            raise ConfigError(f"unknown setting {name!r} passed to create_app")
        raw[key] = (value, "create_app arguments")
    settings = Settings()
    for key, (value, source) in raw.items():
        settings[key] = _validate(key, SPEC[key], value, source)
    return settings


def check_web_ready(settings: Settings) -> None:
    """The web server in production refuses a default or missing secret key."""
    if settings["env"] == "production":
        secret = settings["secret_key"]
        if not secret or secret == DEV_SECRET_KEY or len(secret) < 24:
            raise ConfigError(
                "secret_key: production mode (env = production) needs a real secret key of at least "
                "24 characters; set it in the config file or LMS_SECRET_KEY "
                "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')")
