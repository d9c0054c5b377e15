// Server-sent events (WHATWG HTML, "Server-sent events"): the wire framing, and the two ends of
// a long-lived `text/event-stream` response. A handler answers with Response::stream(
// opener); once the server has sent the response head it calls the opener with the stream's
// EventSink, and whatever feeds the stream (a poller, a notification hub) keeps the sink and
// sends events into it from its own thread. No worker-pool thread is held while a stream is
// open: the server writes queued events from its I/O threads.
//
// What the server does for every stream (server.cpp): `Content-Type: text/event-stream`,
// `Cache-Control: no-store`, `X-Accel-Buffering: no` (nginx passes events on at once), a
// `retry:` hint first, a comment line whenever nothing was written for the heartbeat interval
// (proxies drop silent connections), an end when the client goes away, when the server stops
// (shutdown does not wait for streams), when the stream's maximum duration has passed (the
// client reconnects and is authenticated again), or when the client falls too far behind (the
// queue bound: it reconnects with Last-Event-ID and the feed catches it up). The number of
// open streams is bounded (503 beyond it). Resuming is the feed's business: the handler reads
// the `Last-Event-ID` request header and starts the feed after that id.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace relais::http {

struct SseEvent {
  std::string id;     // empty: no id field (the client keeps its last event id)
  std::string event;  // empty: no event field (the client dispatches a "message")
  std::string data;   // any text; each line (LF, CRLF or CR ends one) becomes a data: line
};

// The event in wire form, ending with the blank line that dispatches it. CR, LF and NUL are
// removed from `id` and `event` (a line break would end the field early, and the spec makes
// clients ignore an id holding NUL).
std::string format_sse_event(const SseEvent& event);
// A comment line: clients ignore it; it keeps the connection from looking idle.
std::string format_sse_comment(std::string_view text);
// The reconnection delay field clients use after the stream ends.
std::string format_sse_retry(std::chrono::milliseconds delay);

// The server's end of one open stream. Thread-safe: any thread may call every member, at any
// time, also after the stream ended (calls then do nothing).
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Queues the event to be written. False when the stream has ended (the event is dropped):
  // the feed should then forget this sink. A client that lets too much pile up is cut off
  // (false from then on).
  virtual bool send(const SseEvent& event) = 0;
  virtual bool is_open() const = 0;
  // Ends the stream once what is queued has been written.
  virtual void close() = 0;
};

// Called once, on an I/O thread, after the response head went out: must return at once (no
// database, no blocking), typically registering the sink with its feed.
using StreamOpener = std::function<void(std::shared_ptr<EventSink>)>;

}  // namespace relais::http
