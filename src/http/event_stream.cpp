#include "http/event_stream.hpp"

#include <algorithm>

namespace relais::http {
namespace {

std::string single_line(std::string_view text) {
  std::string out(text);
  out.erase(std::remove_if(out.begin(), out.end(),
                           [](char c) { return c == '\r' || c == '\n' || c == '\0'; }),
            out.end());
  return out;
}

}  // namespace

std::string format_sse_event(const SseEvent& event) {
  std::string out;
  out.reserve(event.data.size() + event.id.size() + event.event.size() + 32);
  if (!event.id.empty()) out.append("id: ").append(single_line(event.id)).append("\n");
  if (!event.event.empty()) out.append("event: ").append(single_line(event.event)).append("\n");
  // Every line of the data is its own field; the client joins them again with LF. An empty
  // data still needs one field, or the event would not be dispatched.
  std::string_view data = event.data;
  for (;;) {
    const std::size_t end = data.find_first_of("\r\n");
    out.append("data: ").append(data.substr(0, end)).append("\n");
    if (end == std::string_view::npos) break;
    const std::size_t next = data.compare(end, 2, "\r\n") == 0 ? end + 2 : end + 1;
    data.remove_prefix(next);
  }
  out.append("\n");
  return out;
}

std::string format_sse_comment(std::string_view text) { return ": " + single_line(text) + "\n\n"; }

std::string format_sse_retry(std::chrono::milliseconds delay) {
  return "retry: " + std::to_string(std::max<std::chrono::milliseconds::rep>(delay.count(), 0)) +
         "\n\n";
}

}  // namespace relais::http
