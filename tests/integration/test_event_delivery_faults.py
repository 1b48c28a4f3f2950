"""At-least-once delivery under faults, against real parts: a real HTTP
receiver on 127.0.0.1 that fails at random (500, 429 + Retry-After, slow
past the timeout, dropped connections, a permanent 400), and the delivery
command run as a subprocess and SIGKILLed at random points, then restarted.
Twenty seeded rounds, each with its own kill points and failure mix.

Nothing here builds dbt: each round has a small events table with the
columns of customer_group_events in its own DuckDB file."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
import yaml

from scripts.delivery.sample_events import create_sample_warehouse
from tests.integration.delivery_receiver import OK, FailureMix, Receiver, Request, running_receiver

PROJECT_DIR = Path(__file__).resolve().parents[2]
ROUNDS = 20
SECRET_ENV = "TEST_DELIVERY_SIGNING_SECRET"
TIMEOUT_SECONDS = 0.2


def delivery_command(config: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "scripts.deliver_events", "--config", str(config), "--db", str(db), "--no-progress"]


def subprocess_env(secret: str) -> dict[str, str]:
    return {**os.environ, SECRET_ENV: secret, "PYTHONPATH": str(PROJECT_DIR)}


def write_webhook_config(path: Path, url: str, *, batch_size: int, max_attempts: int) -> None:
    config = {
        "version": 1,
        "destinations": [
            {
                "name": "fault_webhook",
                "type": "webhook",
                "url": url,
                "secret_env": SECRET_ENV,
                "batch_size": batch_size,
                "timeout_seconds": TIMEOUT_SECONDS,
                "max_attempts": max_attempts,
                "backoff": {"initial_seconds": 0.01, "max_seconds": 0.05, "jitter_seconds": 0.01},
            }
        ],
    }
    path.write_text(yaml.safe_dump(config))


def all_event_keys(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select cast(occurred_on as varchar), event_id from main.customer_group_events order by 1, 2"
        ).fetchall()
        return [(str(a), str(b)) for a, b in rows]
    finally:
        con.close()


def delivery_state(db: Path, destination: str = "fault_webhook") -> tuple[tuple[str, str] | None, list[dict[str, object]]]:
    """The cursor and the dead letters, read after the process is gone."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        schemas = {row[0] for row in con.execute("select schema_name from information_schema.schemata").fetchall()}
        if "event_delivery" not in schemas:
            return None, []
        cursor = con.execute(
            "select cast(occurred_on as varchar), event_id from event_delivery.cursors where destination = ?",
            [destination],
        ).fetchone()
        dead = con.execute(
            "select batch_id, event_ids, attempts, last_error from event_delivery.dead_letters"
            " where destination = ?",
            [destination],
        ).fetchall()
        letters = [
            {"batch_id": b, "event_ids": json.loads(ids), "attempts": attempts, "error": error}
            for b, ids, attempts, error in dead
        ]
        return (None if cursor is None else (str(cursor[0]), str(cursor[1]))), letters
    finally:
        con.close()


def assert_cursor_only_passed_acknowledged(
    keys: list[tuple[str, str]], cursor: tuple[str, str] | None, acknowledged: set[str], dead: set[str], when: str
) -> None:
    if cursor is None:
        return
    passed = [event_id for key_on, event_id in keys if (key_on, event_id) <= cursor]
    unacknowledged = [event_id for event_id in passed if event_id not in acknowledged and event_id not in dead]
    assert not unacknowledged, f"{when}: cursor {cursor} passed {len(unacknowledged)} unacknowledged events"


def run_round(seed: int, work: Path) -> dict[str, int]:
    rng = random.Random(seed)
    db = work / f"round_{seed}.duckdb"
    create_sample_warehouse(db, events=rng.randint(80, 200), customers=97, days=rng.randint(1, 6))
    keys = all_event_keys(db)
    event_ids = {event_id for _, event_id in keys}
    max_attempts = rng.randint(2, 4)
    poison = frozenset(rng.sample(sorted(event_ids), rng.randint(0, 2)))
    mix = FailureMix(
        http_500=rng.uniform(0.0, 0.25),
        http_429=rng.uniform(0.0, 0.15),
        slow=rng.uniform(0.0, 0.06),
        dropped=rng.uniform(0.0, 0.15),
        retry_after_seconds=0.1,
        slow_seconds=TIMEOUT_SECONDS + 0.3,
        poison_event_ids=poison,
    )
    secret = f"secret-{seed}-{rng.random()}"
    receiver = Receiver(secret=secret, mix=mix, seed=seed)
    kills = 0
    mid_delivery_kills = 0
    with running_receiver(receiver):
        config = work / f"round_{seed}.yml"
        write_webhook_config(config, receiver.url, batch_size=rng.randint(5, 20), max_attempts=max_attempts)
        env = subprocess_env(secret)

        for _ in range(rng.randint(1, 3)):
            process = subprocess.Popen(
                delivery_command(config, db), cwd=PROJECT_DIR, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
            time.sleep(rng.uniform(0.2, 1.0))
            if process.poll() is None:
                sent_before = len(receiver.snapshot())
                process.send_signal(signal.SIGKILL)
                kills += 1
                mid_delivery_kills += sent_before > 0
            process.wait()
            assert process.returncode in (0, -signal.SIGKILL), process.stderr.read().decode()  # type: ignore[union-attr]
            process.stderr.close()  # type: ignore[union-attr]
            cursor, letters = delivery_state(db)
            acknowledged = {i for r in receiver.snapshot() if r.outcome == OK for i in r.event_ids}
            dead = {i for letter in letters for i in letter["event_ids"]}  # type: ignore[union-attr]
            assert_cursor_only_passed_acknowledged(keys, cursor, acknowledged, dead, f"seed {seed} after a kill")

        final = subprocess.run(
            delivery_command(config, db), cwd=PROJECT_DIR, env=env, capture_output=True, timeout=120
        )
        assert final.returncode == 0, final.stderr.decode()
        requests = receiver.snapshot()

        # A rerun after the same build sends nothing new.
        rerun = subprocess.run(delivery_command(config, db), cwd=PROJECT_DIR, env=env, capture_output=True, timeout=60)
        assert rerun.returncode == 0, rerun.stderr.decode()
        assert len(receiver.snapshot()) == len(requests), f"seed {seed}: a rerun sent requests again"

    cursor, letters = delivery_state(db)
    check_round(seed, keys, requests, cursor, letters, max_attempts, poison)
    return {
        "requests": len(requests),
        "kills": kills,
        "mid_delivery_kills": mid_delivery_kills,
        "dead_letters": len(letters),
        "duplicates": sum(len(r.event_ids) for r in requests) - len(event_ids),
    }


def check_round(
    seed: int,
    keys: list[tuple[str, str]],
    requests: list[Request],
    cursor: tuple[str, str] | None,
    letters: list[dict[str, object]],
    max_attempts: int,
    poison: frozenset[str],
) -> None:
    event_ids = {event_id for _, event_id in keys}
    where = f"seed {seed}"
    assert requests, f"{where}: nothing was sent"

    # The signature verifies on every request.
    bad = [r for r in requests if not r.signature_ok]
    assert not bad, f"{where}: {len(bad)} requests with a bad signature"

    # Every event was received at least once, and nothing else was.
    received = [i for r in requests for i in r.event_ids]
    assert set(received) == event_ids, f"{where}: missing {len(event_ids - set(received))} events"

    # Every duplicate is a re-send of the batch that carried the id before
    # (same Idempotency-Key), never a new batch.
    first_batch_of: dict[str, str] = {}
    for request in requests:
        for event_id in request.event_ids:
            first_batch_of.setdefault(event_id, request.batch_id)
            assert first_batch_of[event_id] == request.batch_id, f"{where}: {event_id} re-sent in another batch"

    # Dead-lettered batches are exactly those whose last try exhausted the
    # attempts (or met a 4xx, which is not retried).
    by_batch: dict[str, list[Request]] = defaultdict(list)
    for request in requests:
        by_batch[request.batch_id].append(request)
    exhausted = {
        batch_id
        for batch_id, tries in by_batch.items()
        if tries[-1].outcome == "http_400" or (tries[-1].outcome != OK and tries[-1].attempt == max_attempts)
    }
    dead_batches = {str(letter["batch_id"]) for letter in letters}
    assert dead_batches == exhausted, f"{where}: dead letters {sorted(dead_batches)} != exhausted {sorted(exhausted)}"
    assert len(dead_batches) == len(letters), f"{where}: a batch was dead-lettered twice"
    for letter in letters:
        last = by_batch[str(letter["batch_id"])][-1]
        assert letter["attempts"] == last.attempt, f"{where}: dead letter attempts {letter['attempts']} != {last.attempt}"
        assert letter["error"], f"{where}: a dead letter without its last error"
        if last.outcome != "http_400":
            # The run that gave up made attempts 1..max_attempts, all failed.
            attempts = [r.attempt for r in by_batch[str(letter["batch_id"])][-max_attempts:]]
            assert attempts == list(range(1, max_attempts + 1)), f"{where}: attempts {attempts}"
            assert all(r.outcome != OK for r in by_batch[str(letter["batch_id"])][-max_attempts:])
    poisoned = {b for b, tries in by_batch.items() if poison.intersection(tries[0].event_ids)}
    assert poisoned <= dead_batches, f"{where}: a batch the receiver refused with 400 was not dead-lettered"
    for batch_id in poisoned:
        assert [r.attempt for r in by_batch[batch_id]].count(2) == 0 or by_batch[batch_id][-1].attempt == 1, (
            f"{where}: a 400 was retried"
        )

    # None is missing: every event was acknowledged or is in a dead letter.
    acknowledged = {i for r in requests if r.outcome == OK for i in r.event_ids}
    dead = {i for letter in letters for i in letter["event_ids"]}  # type: ignore[union-attr]
    assert event_ids <= acknowledged | dead, f"{where}: {len(event_ids - acknowledged - dead)} events lost"
    assert cursor == keys[-1], f"{where}: the cursor {cursor} did not reach the last event {keys[-1]}"
    assert_cursor_only_passed_acknowledged(keys, cursor, acknowledged, dead, where)

    # Retry-After was honoured: the next attempt after a 429 waited for it.
    for tries in by_batch.values():
        for before, after in zip(tries, tries[1:]):
            if before.outcome == "http_429" and after.attempt == before.attempt + 1:
                assert after.received_at - before.received_at >= 0.1 - 0.005, f"{where}: Retry-After ignored"


def test_webhook_delivery_is_at_least_once_under_random_faults_and_kills(tmp_path: Path) -> None:
    totals: dict[str, int] = defaultdict(int)
    for seed in range(1, ROUNDS + 1):
        for name, value in run_round(seed, tmp_path).items():
            totals[name] += value
    print(f"{ROUNDS} rounds: {dict(totals)}")
    # The rounds really exercised the faults they claim to survive.
    assert totals["mid_delivery_kills"] > 0, totals
    assert totals["dead_letters"] > 0, totals
    assert totals["duplicates"] > 0, totals


# --------------------------------------------------------------------------
# JSONL: a killed run leaves no partial file
# --------------------------------------------------------------------------


def write_jsonl_config(path: Path, folder: Path) -> None:
    config = {"version": 1, "destinations": [{"name": "lake", "type": "jsonl", "path": str(folder)}]}
    path.write_text(yaml.safe_dump(config))


def visible_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.jsonl")) if folder.exists() else []


def read_event_ids(path: Path) -> list[str]:
    return [json.loads(line)["event_id"] for line in path.read_text().splitlines()]


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_killed_jsonl_run_leaves_no_partial_file(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    db = tmp_path / "events.duckdb"
    create_sample_warehouse(db, events=150_000, customers=5000, days=5)
    event_ids = [event_id for _, event_id in all_event_keys(db)]
    folder = tmp_path / "exports"
    config = tmp_path / "jsonl.yml"
    write_jsonl_config(config, folder)
    env = subprocess_env("unused")

    # Kill while the run is writing: as soon as its temporary file has data,
    # after a random extra delay.
    process = subprocess.Popen(delivery_command(config, db), cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        temporary = list(folder.glob(".*.tmp")) if folder.exists() else []
        if temporary and temporary[0].stat().st_size > 0:
            break
        time.sleep(0.002)
    time.sleep(rng.uniform(0.0, 0.05))
    assert process.poll() is None, "the run finished before it could be killed mid-write"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert list(folder.glob(".*.tmp")), "the killed run should have been writing a temporary file"
    assert visible_files(folder) == [], "a killed run left a visible (partial) file"
    cursor, _ = delivery_state(db, "lake")
    assert cursor is None, "the cursor moved although no file was published"

    # The next run completes: one whole file, no temporary left over.
    finished = subprocess.run(delivery_command(config, db), cwd=PROJECT_DIR, env=env, capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr.decode()
    files = visible_files(folder)
    assert len(files) == 1
    assert read_event_ids(files[0]) == event_ids
    assert list(folder.glob(".*.tmp")) == []
    cursor, _ = delivery_state(db, "lake")
    assert cursor is not None and cursor[1] == event_ids[-1]

    # Nothing new: no new file.
    again = subprocess.run(delivery_command(config, db), cwd=PROJECT_DIR, env=env, capture_output=True, timeout=120)
    assert again.returncode == 0, again.stderr.decode()
    assert visible_files(folder) == files
