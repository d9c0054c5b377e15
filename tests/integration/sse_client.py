"""A raw server-sent-events client on http.client (no extra library): reads the stream line by
line and parses fields as the WHATWG HTML spec says (id, event, data joined by LF, comments)."""

import http.client
import json
import time
from urllib.parse import urlsplit


class SseStream:
    def __init__(self, base_url, path="/api/v1/jobs/stream", token=None, cookie=None,
                 last_event_id=None, timeout=10.0):
        parts = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        headers = {"Accept": "text/event-stream"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if cookie:
            headers["Cookie"] = cookie
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self.conn.request("GET", path, headers=headers)
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.headers = self.response.headers
        self.comments = []
        self.retry = None
        self.ended = False

    def body_json(self):
        return json.loads(self.response.read())

    def next_event(self):
        """The next dispatched event as {"id", "event", "data"}; None when the stream ended."""
        event = {"id": None, "event": "message", "data": []}
        has_data = False
        while True:
            raw = self.response.readline()
            if not raw:
                self.ended = True
                return None
            line = raw.decode("utf-8").rstrip("\n").rstrip("\r")
            if line == "":
                if has_data:
                    event["data"] = "\n".join(event["data"])
                    return event
                event = {"id": event["id"], "event": "message", "data": []}
                continue
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                event["data"].append(value)
                has_data = True
            elif name == "id":
                event["id"] = value
            elif name == "event":
                event["event"] = value
            elif name == "retry":
                self.retry = int(value)

    def events_until(self, predicate, timeout=30.0):
        """Events (job data parsed) until one satisfies `predicate`; fails on timeout or end."""
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = self.next_event()
            assert event is not None, f"the stream ended; got {seen}"
            if event["event"] == "job":
                event["job"] = json.loads(event["data"])
            seen.append(event)
            if predicate(event):
                return seen
        raise AssertionError(f"timed out; events so far: {seen}")

    def close(self):
        # The response holds its own reference to the socket: close both, or the connection
        # stays open and the server never sees the client leave.
        self.response.close()
        self.conn.close()
