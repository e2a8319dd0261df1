"""A fake GOV.UK Notify API on loopback, good enough for the client library: it checks the JWT the
client signs, answers the two send endpoints, and behaves like Notify's test numbers:
07700900002 fails permanently and 07700900003 fails temporarily (both reported by callback), and
07700900500 (our own convention) makes the API answer 500, and any email address starting "bounce" (also
our own) fails permanently."""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

SERVICE_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "66666666-7777-8888-9999-000000000000"
API_KEY = f"onedoor_test-{SERVICE_ID}-{SECRET}"


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # many workers connect at once in the send benchmark
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer (a worker killed on purpose) is no error of ours."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeNotify:
    """`latency` (seconds) is how long each send takes to answer, as a real provider's round trip;
    `sent_at` holds the moment (time.monotonic) of each accepted send."""

    def __init__(self, *, latency: float = 0.0, port: int = 0) -> None:
        self.sent: list[dict[str, Any]] = []
        self.sent_at: list[float] = []
        self.status: dict[str, str] = {}
        self.latency = latency
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _reply(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
                except jwt.PyJWTError:
                    self._reply(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
                    return
                if claims.get("iss") != SERVICE_ID:
                    self._reply(403, {"errors": [{"error": "AuthError", "message": "Invalid issuer"}]})
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if fake.latency:
                    time.sleep(fake.latency)
                kind = self.path.rsplit("/", 1)[-1]
                to = body.get("phone_number") or body.get("email_address") or ""
                if to.endswith("7700900500"):
                    self._reply(500, {"errors": [{"error": "Exception", "message": "Internal server error"}]})
                    return
                if kind == "sms" and not to.replace("+44", "0").startswith("07"):
                    self._reply(400, {"errors": [{"error": "ValidationError", "message": "Not a UK mobile number"}]})
                    return
                notification_id = str(uuid.uuid4())
                if to.endswith("7700900002") or to.lower().startswith("bounce"):
                    status = "permanent-failure"
                elif to.endswith("7700900003"):
                    status = "temporary-failure"
                else:
                    status = "delivered"
                fake.sent.append({"id": notification_id, "type": kind, **body})
                fake.sent_at.append(time.monotonic())
                fake.status[notification_id] = status
                self._reply(
                    201,
                    {
                        "id": notification_id,
                        "reference": body.get("reference"),
                        "content": {"body": "…"},
                        "template": {"id": body["template_id"], "version": 1, "uri": ""},
                        "uri": f"/v2/notifications/{notification_id}",
                    },
                )

        self.server = _Server(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeNotify:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def callback(self, notification_id: str) -> dict[str, Any]:
        """The body Notify would POST to the service's delivery-status callback."""
        sent = next(s for s in self.sent if s["id"] == notification_id)
        return {
            "id": notification_id,
            "reference": sent.get("reference"),
            "to": sent.get("phone_number") or sent.get("email_address"),
            "status": self.status[notification_id],
            "created_at": "2026-01-12T12:00:00.000000Z",
            "completed_at": "2026-01-12T12:00:05.000000Z",
            "sent_at": "2026-01-12T12:00:01.000000Z",
            "notification_type": sent["type"],
        }
