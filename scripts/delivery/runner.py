"""One delivery command: for each destination, read events after its cursor
in (occurred_on, event_id) order, send them, and move the cursor only past
what the receiver acknowledged (or what went to the dead-letter table)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from scripts.delivery.config import Destination
from scripts.delivery.payload import Batch, EventKey, key_of, make_batch
from scripts.delivery.senders import JsonlFile, WebhookSender
from scripts.delivery.warehouse import DeliveryStore

# Events read from the warehouse per query (several webhook batches).
PAGE_EVENTS = 20_000


@dataclass
class DestinationResult:
    destination: str
    delivered: int = 0
    dead_lettered: int = 0
    batches: int = 0
    dead_letter_batches: int = 0
    cursor: EventKey | None = None
    files: list[str] | None = None


Advance = Callable[[int], None]


def _deliver_webhook(
    store: DeliveryStore, destination: Destination, run_id: str, result: DestinationResult, advance: Advance
) -> None:
    sender = WebhookSender(destination)
    page = max(PAGE_EVENTS, destination.batch_size)
    try:
        while True:
            events = store.events_after(result.cursor, destination.filter, destination.contact_fields, page)
            if not events:
                return
            for start in range(0, len(events), destination.batch_size):
                batch = make_batch(destination.name, events[start : start + destination.batch_size])
                outcome = sender.send(batch)
                if outcome.acknowledged:
                    store.record_delivered(run_id, destination.name, batch, outcome.attempts)
                    result.delivered += len(batch.events)
                else:
                    store.record_dead_letter(
                        run_id,
                        destination.name,
                        batch,
                        outcome.body.decode(),
                        outcome.attempts,
                        outcome.error or "unknown error",
                    )
                    result.dead_lettered += len(batch.events)
                    result.dead_letter_batches += 1
                result.batches += 1
                result.cursor = batch.last
                advance(len(batch.events))
    finally:
        sender.close()


def _deliver_jsonl(
    store: DeliveryStore, destination: Destination, run_id: str, result: DestinationResult, advance: Advance
) -> None:
    assert destination.path is not None
    output = JsonlFile(destination.path, destination.name)
    start = result.cursor
    first: dict[str, object] | None = None
    last: dict[str, object] | None = None
    ids = hashlib.sha256(destination.name.encode())
    count = 0
    try:
        cursor = start
        while True:
            events = store.events_after(cursor, destination.filter, destination.contact_fields, PAGE_EVENTS)
            if not events:
                break
            output.write(events)
            for event in events:
                ids.update(b"\x00" + str(event["event_id"]).encode())
            first = first or events[0]
            last = events[-1]
            count += len(events)
            cursor = key_of(last)
            advance(len(events))
        if first is None or last is None:
            output.discard()
            return
        batch = Batch(batch_id=ids.hexdigest()[:32], events=[], first=key_of(first), last=key_of(last), size=count)
        # The name is a function of the events, so a run killed after the
        # rename but before the cursor moved rewrites the same file.
        name = f"{destination.name}-{batch.last.occurred_on.isoformat()}-{batch.batch_id[:16]}.jsonl"
        path = output.commit(name)
    except BaseException:
        output.discard()
        raise
    store.record_delivered(run_id, destination.name, batch, attempts=1)
    result.delivered += count
    result.batches += 1
    result.cursor = batch.last
    result.files = [str(path)]


def deliver(
    store: DeliveryStore, destinations: list[Destination], *, progress: bool = False
) -> list[DestinationResult]:
    """Deliver every destination in turn; returns what each one got."""
    run_id = uuid.uuid4().hex
    results = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        disable=not progress,
    ) as bar:
        for destination in destinations:
            result = DestinationResult(destination=destination.name, cursor=store.cursor(destination.name))
            total = store.count_events_after(result.cursor, destination.filter) if progress else None
            task = bar.add_task(destination.name, total=total)

            def advance(events: int, task_id: int = task) -> None:
                bar.advance(task_id, events)  # type: ignore[arg-type]

            store.start_run(run_id, destination.name)
            if destination.type == "webhook":
                _deliver_webhook(store, destination, run_id, result, advance)
            else:
                _deliver_jsonl(store, destination, run_id, result, advance)
            store.finish_run(
                run_id,
                destination.name,
                delivered=result.delivered,
                dead_lettered=result.dead_lettered,
                batches=result.batches,
            )
            results.append(result)
    return results
