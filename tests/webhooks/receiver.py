"""A local webhook receiver for tests: an http.server on a free port, in a thread.

Every POST is kept (headers and the raw body, so a test can verify the signature with the
standard's own verifier). A script of answers makes it misbehave:

    200, 500, 410…  that status (after the script, every request gets 200)
    "hang"          keep the connection open, answer nothing for `hang_seconds`

A request counts as *acknowledged* when it was answered with a 2xx.
"""

import collections
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Received:
    def __init__(self, headers: dict[str, str], body: bytes, status: int | str):
        self.headers = headers
        self.body = body
        self.status = status

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def is_acknowledged(self) -> bool:
        return isinstance(self.status, int) and 200 <= self.status < 300


class Receiver:
    def __init__(self, *, hang_seconds: float = 3.0, delay: float = 0.0):
        self.hang_seconds = hang_seconds
        self.delay = delay
        self.received: list[Received] = []
        self._script: collections.deque[int | str] = collections.deque()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.server.block_on_close = False

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks"

    def start(self) -> "Receiver":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, *answers: int | str) -> None:
        """Queue the answers to the next requests; after them, every request gets 200."""
        with self._lock:
            self._script.extend(answers)

    def acknowledged(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.is_acknowledged]

    def _next(self) -> int | str:
        with self._lock:
            return self._script.popleft() if self._script else 200

    def _handler_class(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                answer = receiver._next()
                headers = {key.lower(): value for key, value in self.headers.items()}
                if receiver.delay:
                    time.sleep(receiver.delay)
                if answer == "hang":
                    with receiver._lock:
                        receiver.received.append(Received(headers, body, "hang"))
                    time.sleep(receiver.hang_seconds)
                    return
                reply = json.dumps({"received": True}).encode()
                # Recorded before answering: a test that sees the answer sees the record.
                with receiver._lock:
                    receiver.received.append(Received(headers, body, answer))
                self.send_response(int(answer))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        return Handler
