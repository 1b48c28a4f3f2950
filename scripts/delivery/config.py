"""The versioned destinations file (delivery/destinations.yml), read into
checked dataclasses. Every problem is reported as a ConfigError that names
the destination and what is wrong with it; secrets are read from the
environment, never from the file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SUPPORTED_VERSIONS = {1}
EVENT_NAMES = {
    "added": "customer.updated.customer_group.added",
    "removed": "customer.updated.customer_group.removed",
}
# Contact fields a destination may ask for (from customer_360). Card data is
# never among them.
CONTACT_FIELDS = ("email", "first_name", "last_name", "country", "may_be_contacted")
FORBIDDEN_FIELD_HINTS = ("card", "bin", "last_4", "pan", "exp_")


class ConfigError(ValueError):
    """The destinations file is wrong; the message names where and why."""


@dataclass(frozen=True)
class EventFilter:
    """Which events a destination wants; empty tuples mean all."""

    event_names: tuple[str, ...] = ()
    group_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Backoff:
    initial_seconds: float = 0.5
    max_seconds: float = 30.0
    jitter_seconds: float = 0.5
    max_retry_after_seconds: float = 300.0


@dataclass(frozen=True)
class Destination:
    name: str
    type: str  # "webhook" or "jsonl"
    filter: EventFilter = field(default_factory=EventFilter)
    contact_fields: tuple[str, ...] = ()
    # webhook
    url: str | None = None
    secret: str | None = field(default=None, repr=False)
    batch_size: int = 500
    timeout_seconds: float = 10.0
    max_attempts: int = 5
    backoff: Backoff = field(default_factory=Backoff)
    headers: Mapping[str, str] = field(default_factory=dict)
    # jsonl
    path: Path | None = None


@dataclass(frozen=True)
class DeliveryConfig:
    version: int
    destinations: tuple[Destination, ...]
    events_schema: str | None = None  # where customer_group_events lives; found when None


def _fail(where: str, problem: str) -> ConfigError:
    return ConfigError(f"{where}: {problem}")


def _number(raw: Mapping[str, Any], key: str, default: float, where: str, *, minimum: float = 0.0) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(where, f"{key} must be a number, got {value!r}")
    if value < minimum:
        raise _fail(where, f"{key} must be >= {minimum}, got {value!r}")
    return float(value)


def _integer(raw: Mapping[str, Any], key: str, default: int, where: str, *, minimum: int = 1) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, f"{key} must be an integer, got {value!r}")
    if value < minimum:
        raise _fail(where, f"{key} must be >= {minimum}, got {value!r}")
    return value


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(where, f"{key} must be a list of non-empty strings, got {value!r}")
    return tuple(value)


def _env(name: Any, key: str, where: str, environ: Mapping[str, str]) -> str:
    if not isinstance(name, str) or not name:
        raise _fail(where, f"{key} must name an environment variable")
    value = environ.get(name)
    if not value:
        raise _fail(where, f"environment variable {name} (from {key}) is not set")
    return value


def _filter(raw: Any, where: str) -> EventFilter:
    if raw is None:
        return EventFilter()
    if not isinstance(raw, Mapping):
        raise _fail(where, f"filter must be a mapping, got {raw!r}")
    unknown = set(raw) - {"event_names", "group_keys"}
    if unknown:
        raise _fail(where, f"unknown filter keys {sorted(unknown)} (allowed: event_names, group_keys)")
    names = []
    for name in _strings(raw.get("event_names"), "filter.event_names", where):
        full = EVENT_NAMES.get(name, name)
        if full not in EVENT_NAMES.values():
            raise _fail(where, f"unknown event name {name!r} (use added, removed or the full event name)")
        names.append(full)
    return EventFilter(event_names=tuple(names), group_keys=_strings(raw.get("group_keys"), "filter.group_keys", where))


_COMMON_KEYS = {"name", "type", "enabled", "filter", "contact_fields", "description"}
_TYPE_KEYS = {
    "webhook": {"url", "url_env", "secret_env", "batch_size", "timeout_seconds", "max_attempts", "backoff", "headers"},
    "jsonl": {"path"},
}


def _destination(raw: Any, index: int, base_dir: Path, environ: Mapping[str, str]) -> Destination | None:
    where = f"destination #{index + 1}"
    if not isinstance(raw, Mapping):
        raise _fail(where, f"must be a mapping, got {raw!r}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.replace("_", "").replace("-", "").isalnum():
        raise _fail(where, f"name must be letters, digits, '_' or '-', got {name!r}")
    where = f"destination {name!r}"
    kind = raw.get("type")
    if kind not in _TYPE_KEYS:
        raise _fail(where, f"type must be one of {sorted(_TYPE_KEYS)}, got {kind!r}")
    unknown = set(raw) - _COMMON_KEYS - _TYPE_KEYS[kind]
    if unknown:
        raise _fail(where, f"unknown keys {sorted(unknown)} for type {kind}")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise _fail(where, f"enabled must be true or false, got {enabled!r}")
    if not enabled:
        return None

    contact_fields = _strings(raw.get("contact_fields"), "contact_fields", where)
    for contact_field in contact_fields:
        if any(hint in contact_field.lower() for hint in FORBIDDEN_FIELD_HINTS):
            raise _fail(where, f"contact_fields may never include card data ({contact_field!r})")
        if contact_field not in CONTACT_FIELDS:
            raise _fail(where, f"unknown contact field {contact_field!r} (allowed: {', '.join(CONTACT_FIELDS)})")
    common: dict[str, Any] = {
        "name": name,
        "type": kind,
        "filter": _filter(raw.get("filter"), where),
        "contact_fields": contact_fields,
    }

    if kind == "jsonl":
        path = raw.get("path")
        if not isinstance(path, str) or not path:
            raise _fail(where, "path (the folder the files go to) is required")
        folder = Path(os.path.expandvars(path))
        return Destination(**common, path=folder if folder.is_absolute() else base_dir / folder)

    if ("url" in raw) == ("url_env" in raw):
        raise _fail(where, "give exactly one of url or url_env")
    url = raw["url"] if "url" in raw else _env(raw["url_env"], "url_env", where, environ)
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise _fail(where, f"url must start with http:// or https://, got {url!r}")
    if "secret_env" not in raw:
        raise _fail(where, "secret_env (the variable holding the signing secret) is required")
    backoff_raw = raw.get("backoff", {})
    if not isinstance(backoff_raw, Mapping):
        raise _fail(where, f"backoff must be a mapping, got {backoff_raw!r}")
    unknown = set(backoff_raw) - set(Backoff.__dataclass_fields__)
    if unknown:
        raise _fail(where, f"unknown backoff keys {sorted(unknown)}")
    defaults = Backoff()
    backoff = Backoff(
        **{key: _number(backoff_raw, key, getattr(defaults, key), where) for key in Backoff.__dataclass_fields__}
    )
    headers = raw.get("headers", {})
    if not isinstance(headers, Mapping) or not all(isinstance(v, str) for v in headers.values()):
        raise _fail(where, "headers must map header names to strings")
    return Destination(
        **common,
        url=url,
        secret=_env(raw["secret_env"], "secret_env", where, environ),
        batch_size=_integer(raw, "batch_size", 500, where),
        timeout_seconds=_number(raw, "timeout_seconds", 10.0, where, minimum=0.001),
        max_attempts=_integer(raw, "max_attempts", 5, where),
        backoff=backoff,
        headers=dict(headers),
    )


def parse_config(raw: Any, *, base_dir: Path, environ: Mapping[str, str] | None = None) -> DeliveryConfig:
    """Check a loaded YAML document; relative JSONL paths are taken from ``base_dir``."""
    environ = os.environ if environ is None else environ
    if not isinstance(raw, Mapping):
        raise ConfigError("destinations file: must be a mapping with version and destinations")
    version = raw.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise ConfigError(f"destinations file: version must be one of {sorted(SUPPORTED_VERSIONS)}, got {version!r}")
    unknown = set(raw) - {"version", "destinations", "events_schema"}
    if unknown:
        raise ConfigError(f"destinations file: unknown keys {sorted(unknown)}")
    entries = raw.get("destinations")
    if not isinstance(entries, list) or not entries:
        raise ConfigError("destinations file: destinations must be a non-empty list")
    names = [entry.get("name") for entry in entries if isinstance(entry, Mapping)]
    duplicates = sorted({str(n) for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"destination {duplicates[0]!r}: the name is used more than once")
    destinations = [_destination(entry, i, base_dir, environ) for i, entry in enumerate(entries)]
    schema = raw.get("events_schema")
    if schema is not None and not (isinstance(schema, str) and schema.replace("_", "").isalnum()):
        raise ConfigError(f"destinations file: events_schema must be a plain schema name, got {schema!r}")
    return DeliveryConfig(
        version=version, destinations=tuple(d for d in destinations if d is not None), events_schema=schema
    )


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> DeliveryConfig:
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as error:
        raise ConfigError(f"destinations file {path}: cannot be read ({error})") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"destinations file {path}: not valid YAML ({error})") from error
    return parse_config(raw, base_dir=Path.cwd(), environ=environ)
