"""Getting a batch out of the warehouse: webhooks (httpx, retried by
tenacity) and JSONL files (written to a temporary name, then renamed)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from scripts.delivery.config import Backoff, Destination
from scripts.delivery.payload import SIGNATURE_HEADER, Batch, dumps, envelope, sign

USER_AGENT = "customer-groups-event-delivery/1"


class RetryableDeliveryError(Exception):
    """Worth another attempt: timeout, connection error, 5xx, 429."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(Exception):
    """Another attempt would get the same answer (4xx other than 429)."""


@dataclass(frozen=True)
class SendOutcome:
    acknowledged: bool
    attempts: int
    error: str | None = None
    body: bytes = b""


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds (fractions
    accepted) or an HTTP date; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def wait_strategy(backoff: Backoff) -> Callable[[RetryCallState], float]:
    """Exponential backoff with jitter, unless the receiver said how long
    to wait (Retry-After, capped at max_retry_after_seconds)."""
    exponential = wait_exponential(multiplier=backoff.initial_seconds, max=backoff.max_seconds) + wait_random(
        0, backoff.jitter_seconds
    )

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, RetryableDeliveryError) and error.retry_after is not None:
            return min(error.retry_after, backoff.max_retry_after_seconds)
        return float(exponential(state))

    return wait


def classify_response(response: httpx.Response) -> None:
    """Raise unless the receiver acknowledged (2xx)."""
    status = response.status_code
    if 200 <= status < 300:
        return
    message = f"HTTP {status}: {response.text[:200]!r}"
    if status == 429 or status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise RetryableDeliveryError(message, retry_after=retry_after)
    raise PermanentDeliveryError(message)


class WebhookSender:
    """POSTs signed JSON batches to one destination's URL."""

    def __init__(self, destination: Destination, *, sleep: Callable[[float], None] | None = None) -> None:
        assert destination.url is not None and destination.secret is not None
        self.destination = destination
        self._sleep = sleep
        self._client = httpx.Client(
            timeout=httpx.Timeout(destination.timeout_seconds),
            headers={"User-Agent": USER_AGENT, **destination.headers},
            follow_redirects=False,
        )

    def _post(self, batch: Batch, body: bytes, attempt: int) -> None:
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": batch.batch_id,
            SIGNATURE_HEADER: sign(self.destination.secret or "", body),
            "X-Customer-Groups-Attempt": str(attempt),
            "X-Customer-Groups-Event-Count": str(len(batch.events)),
        }
        try:
            response = self._client.post(self.destination.url or "", content=body, headers=headers)
        except httpx.TimeoutException as error:
            raise RetryableDeliveryError(f"timeout after {self.destination.timeout_seconds}s: {error!r}") from error
        except httpx.TransportError as error:
            raise RetryableDeliveryError(f"connection error: {error!r}") from error
        classify_response(response)

    def send(self, batch: Batch) -> SendOutcome:
        attempts = 0
        last_body = b""

        def attempt() -> bytes:
            nonlocal attempts, last_body
            attempts += 1
            last_body = envelope(self.destination.name, batch, attempts)
            self._post(batch, last_body, attempts)
            return last_body

        retrying_options: dict[str, Any] = {
            "stop": stop_after_attempt(self.destination.max_attempts),
            "wait": wait_strategy(self.destination.backoff),
            "retry": retry_if_exception_type(RetryableDeliveryError),
            "reraise": True,
        }
        if self._sleep is not None:
            retrying_options["sleep"] = self._sleep
        try:
            body = Retrying(**retrying_options)(attempt)
        except (RetryableDeliveryError, PermanentDeliveryError) as error:
            return SendOutcome(acknowledged=False, attempts=attempts, error=str(error), body=last_body)
        return SendOutcome(acknowledged=True, attempts=attempts, body=body)

    def close(self) -> None:
        self._client.close()


class JsonlFile:
    """One delivery run's newline-delimited JSON file. Lines go to a hidden
    temporary file in the same folder; ``commit`` fsyncs it and renames it
    into place, so a reader never sees a partial file. A killed run leaves
    only a hidden ``.*.tmp`` file, removed by the next run."""

    def __init__(self, folder: Path, destination: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.destination = destination
        for stale in folder.glob(f".{destination}-*.jsonl.tmp"):
            stale.unlink(missing_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{destination}-", suffix=".jsonl.tmp", dir=folder)
        self._temp = Path(name)
        self._file: IO[str] = os.fdopen(handle, "w", encoding="utf-8")

    def write(self, events: Iterable[Mapping[str, Any]]) -> None:
        self._file.writelines(dumps(event) + "\n" for event in events)

    def commit(self, final_name: str) -> Path:
        self._file.flush()
        os.fchmod(self._file.fileno(), 0o644)  # mkstemp's 0600 would hide it from pickup
        os.fsync(self._file.fileno())
        self._file.close()
        target = self.folder / final_name
        os.replace(self._temp, target)
        directory = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return target

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self._temp.unlink(missing_ok=True)
