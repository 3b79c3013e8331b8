"""A small stand-in for Postmark's email API, for tests, crash tests and bench/deliver.py.

It speaks enough of https://postmarkapp.com/developer/api/email-api for anymail's real
Postmark backend: POST /email with X-Postmark-Server-Token, answered with a MessageID.
Every accepted message is recorded (the parsed JSON request) so a test can assert what
reached the ESP and how many times. A script of answers makes it misbehave:

    "ok"        200, accepted and recorded
    "429"       429, nothing recorded (rate limited)
    "500"       500, nothing recorded
    "hang"      recorded (accepted), then no answer for `hang_seconds`
    "invalid"   422 ErrorCode 300, invalid To address
    "inactive"  422 ErrorCode 406, recipient marked inactive

Run alone: python tests/letters/esp_stub.py --port 8025 (GET /_stub/metadata-counts then
says how many times each delivery was accepted).
"""

import argparse
import collections
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ANSWERS = {"ok", "429", "500", "hang", "invalid", "inactive"}


class PostmarkStub:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, hang_seconds: float = 5.0):
        self.hang_seconds = hang_seconds
        self.messages: list[dict] = []
        self.requests = 0
        self._script: collections.deque[str] = collections.deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.server = ThreadingHTTPServer((host, port), self._handler_class())
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "PostmarkStub":
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def answer(self, *answers: str) -> None:
        """Queue the answers to the next requests; after them, every request is "ok"."""
        unknown = set(answers) - ANSWERS
        if unknown:
            raise ValueError(f"Unknown answers: {unknown}")
        with self._lock:
            self._script.extend(answers)

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self._script.clear()
            self.requests = 0

    def metadata_counts(self, key: str = "delivery_id") -> collections.Counter:
        """How many times each metadata value (by default each delivery) was accepted."""
        with self._lock:
            return collections.Counter(m.get("Metadata", {}).get(key) for m in self.messages)

    def _next_answer(self) -> str:
        with self._lock:
            self.requests += 1
            return self._script.popleft() if self._script else "ok"

    def _record(self, data: dict) -> str:
        message_id = str(uuid.uuid4())
        with self._lock:
            self.messages.append({**data, "MessageID": message_id})
        return message_id

    def _handler_class(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The answer goes out in two writes (head, then body): with Nagle's algorithm
            # the body waited for the client's delayed ACK, 40 ms a letter on keep-alive.
            disable_nagle_algorithm = True

            def log_message(self, format, *args):  # noqa: A002 -- quiet in tests
                pass

            def _reply(self, status: int, body: dict) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):  # noqa: N802 -- http.server's naming
                # Not Postmark's: how a stub in another process (bench/deliver.py) reports.
                if self.path.rstrip("/") == "/_stub/metadata-counts":
                    return self._reply(200, stub.metadata_counts())
                return self._reply(404, {"ErrorCode": 404, "Message": "Not found"})

            def do_POST(self):  # noqa: N802 -- http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/email":
                    return self._reply(404, {"ErrorCode": 404, "Message": "Not found"})
                if not self.headers.get("X-Postmark-Server-Token"):
                    return self._reply(
                        401, {"ErrorCode": 10, "Message": "No Account or Server API tokens"}
                    )
                try:
                    data = json.loads(raw)
                except ValueError:
                    return self._reply(400, {"ErrorCode": 402, "Message": "Invalid JSON"})
                answer = stub._next_answer()
                if answer == "429":
                    return self._reply(429, {"ErrorCode": 429, "Message": "Rate limit exceeded"})
                if answer == "500":
                    return self._reply(500, {"ErrorCode": 500, "Message": "Internal error"})
                if answer == "invalid":
                    to = _addr_spec(data.get("To", ""))
                    return self._reply(
                        422, {"ErrorCode": 300, "Message": f"Invalid 'To' address: '{to}'."}
                    )
                if answer == "inactive":
                    return self._reply(
                        422,
                        {
                            "ErrorCode": 406,
                            "Message": "You tried to send to recipient(s) that have been "
                            "marked as inactive. Found inactive addresses: "
                            f"{_addr_spec(data.get('To', ''))}. Inactive recipients are ones "
                            "that have generated a hard bounce, a spam complaint, or a "
                            "manual suppression.",
                        },
                    )
                message_id = stub._record(data)
                if answer == "hang":
                    stub._stopping.wait(stub.hang_seconds)
                self._reply(
                    200,
                    {
                        "To": data.get("To", ""),
                        "SubmittedAt": datetime.now(UTC).isoformat(),
                        "MessageID": message_id,
                        "ErrorCode": 0,
                        "Message": "OK",
                    },
                )

        return Handler


class StubProcess:
    """This stub in a process of its own (bench/deliver.py: in the bench's process it would
    wait for the GIL behind the producer). Reports through GET /_stub/metadata-counts."""

    def __init__(self, *, port: int, log_path: Path):
        self.url = f"http://127.0.0.1:{port}/"
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 -- our own command line
            [sys.executable, __file__, "--port", str(port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("the ESP stub did not start")

    def metadata_counts(self) -> dict[str, int]:
        """As PostmarkStub.metadata_counts, from the other process."""
        address = f"{self.url}_stub/metadata-counts"
        with urllib.request.urlopen(address, timeout=30) as answer:  # noqa: S310 -- our stub
            return json.load(answer)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self._log.close()


def _addr_spec(address: str) -> str:
    return address.rpartition("<")[2].rstrip(">").strip().lower()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args()
    stub = PostmarkStub(host=args.host, port=args.port)
    print(f"Postmark stub on {stub.url}", flush=True)
    stub.server.serve_forever()
