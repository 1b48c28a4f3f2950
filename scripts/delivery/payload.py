"""What a receiver gets: one JSON object per event, batches wrapped in an
envelope, the envelope signed with HMAC-SHA256. Receivers deduplicate on
``event_id``; ``verify_signature`` is what they run on each request."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

SIGNATURE_HEADER = "X-Customer-Groups-Signature"
SIGNATURE_PREFIX = "sha256="
# Every event carries these; contact fields are added only on request.
EVENT_FIELDS = (
    "event_id",
    "event_name",
    "occurred_on",
    "customer_id",
    "group_key",
    "group_name",
    "group_type",
    "reason",
    "definition_version",
)


@dataclass(frozen=True)
class EventKey:
    """A position in the event log: events are delivered in this order."""

    occurred_on: date
    event_id: str

    def as_json(self) -> dict[str, str]:
        return {"occurred_on": self.occurred_on.isoformat(), "event_id": self.event_id}


@dataclass(frozen=True)
class Batch:
    """Consecutive events of one destination, sent (and acknowledged) together."""

    batch_id: str
    events: Sequence[Mapping[str, Any]]
    first: EventKey
    last: EventKey
    # Set when the events are not held in memory (a JSONL file's run).
    size: int | None = None

    @property
    def event_count(self) -> int:
        return len(self.events) if self.size is None else self.size

    @property
    def event_ids(self) -> list[str]:
        return [str(event["event_id"]) for event in self.events]


def key_of(event: Mapping[str, Any]) -> EventKey:
    occurred_on = event["occurred_on"]
    if isinstance(occurred_on, str):
        occurred_on = date.fromisoformat(occurred_on)
    return EventKey(occurred_on=occurred_on, event_id=str(event["event_id"]))


def batch_id_for(destination: str, event_ids: Iterable[str]) -> str:
    """Deterministic: the same events to the same destination give the same
    id (the request's Idempotency-Key), whichever run sends them."""
    digest = hashlib.sha256(destination.encode())
    for event_id in event_ids:
        digest.update(b"\x00" + event_id.encode())
    return digest.hexdigest()[:32]


def make_batch(destination: str, events: Sequence[Mapping[str, Any]]) -> Batch:
    return Batch(
        batch_id=batch_id_for(destination, (str(e["event_id"]) for e in events)),
        events=events,
        first=key_of(events[0]),
        last=key_of(events[-1]),
    )


def _json_default(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def envelope(destination: str, batch: Batch, attempt: int) -> bytes:
    """The webhook body: the batch and when this attempt was sent."""
    body = {
        "destination": destination,
        "batch_id": batch.batch_id,
        "attempt": attempt,
        "sent_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "events": batch.events,
    }
    return dumps(body).encode()


def sign(secret: str, body: bytes) -> str:
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver runs first: is ``body`` signed with our shared secret?"""
    return header is not None and hmac.compare_digest(sign(secret, body), header)
