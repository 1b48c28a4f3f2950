"""A real HTTP receiver for the delivery tests: a ThreadingHTTPServer on
127.0.0.1 (free port) in a thread of the test process, answering with a
seeded mix of 500s, 429s with Retry-After, responses slower than the
client's timeout, dropped connections and a permanent 400 for batches
holding a "poison" event. It logs every request it read."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from scripts.delivery.payload import SIGNATURE_HEADER, verify_signature

OK = "ok"
FAILED = ("http_500", "http_429", "slow", "dropped", "http_400")


@dataclass(frozen=True)
class FailureMix:
    """Probabilities of each fault per request (the rest get 200)."""

    http_500: float = 0.0
    http_429: float = 0.0
    slow: float = 0.0
    dropped: float = 0.0
    retry_after_seconds: float = 0.1
    slow_seconds: float = 0.5
    poison_event_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Request:
    received_at: float
    batch_id: str
    attempt: int
    event_ids: tuple[str, ...]
    signature_ok: bool
    outcome: str


@dataclass
class Receiver:
    secret: str
    mix: FailureMix
    seed: int
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def choose(self, event_ids: tuple[str, ...]) -> str:
        if self.mix.poison_event_ids.intersection(event_ids):
            return "http_400"
        with self._lock:
            draw = self._rng.random()
        for outcome in ("http_500", "http_429", "slow", "dropped"):
            probability = getattr(self.mix, outcome)
            if draw < probability:
                return outcome
            draw -= probability
        return OK

    def log(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def snapshot(self) -> list[Request]:
        with self._lock:
            return list(self.requests)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet server
            pass

        def _answer(self, status: int, headers: dict[str, str] | None = None) -> None:
            body = b'{"ok": true}' if status < 300 else b'{"error": "injected"}'
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            signature_ok = verify_signature(receiver.secret, body, self.headers.get(SIGNATURE_HEADER))
            envelope = json.loads(body)
            event_ids = tuple(event["event_id"] for event in envelope["events"])
            outcome = receiver.choose(event_ids)
            receiver.log(
                Request(
                    received_at=time.monotonic(),
                    batch_id=self.headers.get("Idempotency-Key", ""),
                    attempt=int(self.headers.get("X-Customer-Groups-Attempt", "0")),
                    event_ids=event_ids,
                    signature_ok=signature_ok,
                    outcome=outcome,
                )
            )
            try:
                if outcome == OK:
                    self._answer(200)
                elif outcome == "http_500":
                    self._answer(500)
                elif outcome == "http_429":
                    self._answer(429, {"Retry-After": str(receiver.mix.retry_after_seconds)})
                elif outcome == "http_400":
                    self._answer(400)
                elif outcome == "slow":
                    time.sleep(receiver.mix.slow_seconds)
                    self._answer(200)  # too late: the client gave up, it is not an acknowledgement
                else:  # dropped: close the connection without a response
                    self.close_connection = True
            except OSError:
                self.close_connection = True

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client killed mid-request resets its connection: expected here."""


@contextmanager
def running_receiver(receiver: Receiver) -> Iterator[Receiver]:
    server = _QuietServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/events"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
