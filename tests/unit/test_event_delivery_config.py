"""Destinations file, signatures, retry decisions: the pure parts of event
delivery (scripts/delivery)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.delivery.config import ConfigError, parse_config
from scripts.delivery.payload import batch_id_for, sign, verify_signature
from scripts.delivery.senders import (
    PermanentDeliveryError,
    RetryableDeliveryError,
    classify_response,
    parse_retry_after,
)

ENV = {"HOOK_SECRET": "s3cret", "HOOK_URL": "https://hooks.example.com/x"}


def webhook(**overrides: Any) -> dict[str, Any]:
    return {"name": "crm", "type": "webhook", "url": "https://crm.example.com/hook", "secret_env": "HOOK_SECRET"} | overrides


def parse(*destinations: dict[str, Any], **top: Any) -> Any:
    return parse_config({"version": 1, "destinations": list(destinations), **top}, base_dir=Path("/base"), environ=ENV)


def test_a_valid_file_gives_typed_destinations_with_secrets_from_the_environment() -> None:
    config = parse(
        webhook(filter={"event_names": ["added"], "group_keys": ["vip"]}, batch_size=50),
        {"name": "lake", "type": "jsonl", "path": "exports/events"},
        {"name": "off", "type": "jsonl", "path": "x", "enabled": False},
    )
    crm, lake = config.destinations
    assert crm.secret == "s3cret" and crm.batch_size == 50
    assert crm.filter.event_names == ("customer.updated.customer_group.added",)
    assert crm.filter.group_keys == ("vip",)
    assert lake.path == Path("/base/exports/events")
    assert [d.name for d in config.destinations] == ["crm", "lake"], "a disabled destination is not delivered"


def test_url_can_come_from_the_environment() -> None:
    hook = webhook(url_env="HOOK_URL")
    del hook["url"]
    assert parse(hook).destinations[0].url == "https://hooks.example.com/x"


@pytest.mark.parametrize(
    ("destination", "problem"),
    [
        (webhook(secret_env="MISSING_SECRET"), "environment variable MISSING_SECRET"),
        (webhook(secret_env=""), "secret_env must name an environment variable"),
        ({k: v for k, v in webhook().items() if k != "secret_env"}, "secret_env"),
        (webhook(url="ftp://nope"), "url must start with http"),
        (webhook(url_env="HOOK_URL"), "exactly one of url or url_env"),
        (webhook(batch_size=0), "batch_size must be >= 1"),
        (webhook(batch_size="10"), "batch_size must be an integer"),
        (webhook(max_attempts=1.5), "max_attempts must be an integer"),
        (webhook(timeout_seconds=-1), "timeout_seconds must be >="),
        (webhook(retries=3), "unknown keys ['retries']"),
        (webhook(backoff={"initial": 1}), "unknown backoff keys"),
        (webhook(filter={"event_names": ["entered"]}), "unknown event name 'entered'"),
        (webhook(filter={"groups": ["vip"]}), "unknown filter keys"),
        (webhook(filter={"group_keys": "vip"}), "filter.group_keys must be a list"),
        (webhook(contact_fields=["email", "default_card"]), "never include card data"),
        (webhook(contact_fields=["phone_number"]), "unknown contact field"),
        (webhook(enabled="yes"), "enabled must be true or false"),
        (webhook(type="slack"), "type must be one of"),
    ],
)
def test_a_bad_destination_is_refused_naming_it_and_the_problem(destination: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse(destination)
    message = str(error.value)
    assert "destination 'crm'" in message
    assert problem in message


def test_a_jsonl_destination_needs_a_folder() -> None:
    with pytest.raises(ConfigError, match="destination 'lake': path"):
        parse({"name": "lake", "type": "jsonl"})


def test_file_level_problems_are_named() -> None:
    with pytest.raises(ConfigError, match="version must be one of"):
        parse_config({"destinations": [webhook()]}, base_dir=Path("."), environ=ENV)
    with pytest.raises(ConfigError, match="destination 'crm': the name is used more than once"):
        parse(webhook(), webhook())
    with pytest.raises(ConfigError, match="destinations must be a non-empty list"):
        parse_config({"version": 1, "destinations": []}, base_dir=Path("."), environ=ENV)
    with pytest.raises(ConfigError, match="destination #1: name"):
        parse(webhook(name="has space"))


def test_the_shipped_destination_files_are_valid() -> None:
    import yaml

    root = Path(__file__).resolve().parents[2] / "delivery"
    env = {
        "SLACK_RELAY_URL": "https://relay.example.com",
        "SLACK_RELAY_SIGNING_SECRET": "a",
        "EMAIL_RELAY_SIGNING_SECRET": "b",
    }
    example = parse_config(yaml.safe_load((root / "destinations.example.yml").read_text()), base_dir=root, environ=env)
    assert {d.name for d in example.destinations} == {"slack_vip", "email_payment_recovery", "lake_jsonl"}
    shipped = parse_config(yaml.safe_load((root / "destinations.yml").read_text()), base_dir=root, environ={})
    assert [d.type for d in shipped.destinations] == ["jsonl"]


def test_a_signature_verifies_only_the_exact_body_and_secret() -> None:
    body = b'{"events":[]}'
    header = sign("k", body)
    assert header.startswith("sha256=")
    assert verify_signature("k", body, header)
    assert not verify_signature("k", body + b" ", header)
    assert not verify_signature("other", body, header)
    assert not verify_signature("k", body, None)


def test_batch_ids_are_deterministic_and_differ_per_destination() -> None:
    assert batch_id_for("a", ["e1", "e2"]) == batch_id_for("a", ["e1", "e2"])
    assert batch_id_for("a", ["e1", "e2"]) != batch_id_for("b", ["e1", "e2"])
    assert batch_id_for("a", ["e1", "e2"]) != batch_id_for("a", ["e1e2"])


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 6, 30, 12, 0, tzinfo=timezone.utc)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.25") == 0.25
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (200, {}, None),
        (204, {}, None),
        (500, {}, RetryableDeliveryError),
        (503, {"Retry-After": "7"}, RetryableDeliveryError),
        (429, {"Retry-After": "2"}, RetryableDeliveryError),
        (400, {}, PermanentDeliveryError),
        (401, {}, PermanentDeliveryError),
        (404, {}, PermanentDeliveryError),
        (301, {}, PermanentDeliveryError),
    ],
)
def test_only_429_and_5xx_are_retried(status: int, headers: dict[str, str], expected: type | None) -> None:
    response = httpx.Response(status, headers=headers, request=httpx.Request("POST", "http://x"))
    if expected is None:
        classify_response(response)
        return
    with pytest.raises(expected) as error:
        classify_response(response)
    if "Retry-After" in headers:
        assert error.value.retry_after == float(headers["Retry-After"])  # type: ignore[attr-defined]
