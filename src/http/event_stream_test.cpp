// The wire framing of server-sent events (WHATWG HTML, "Server-sent events").
#include "http/event_stream.hpp"

#include <gtest/gtest.h>

namespace relais::http {
namespace {

using namespace std::chrono_literals;

TEST(SseFramingTest, IdEventAndDataEndWithABlankLine) {
  EXPECT_EQ(format_sse_event({"0-42", "job", R"({"id":42})"}),
            "id: 0-42\nevent: job\ndata: {\"id\":42}\n\n");
}

TEST(SseFramingTest, EveryLineOfTheDataIsItsOwnField) {
  EXPECT_EQ(format_sse_event({"", "", "one\ntwo\r\nthree\rfour"}),
            "data: one\ndata: two\ndata: three\ndata: four\n\n");
  // A trailing line break is an empty last line: the client's data ends with LF again.
  EXPECT_EQ(format_sse_event({"", "", "end\n"}), "data: end\ndata: \n\n");
  EXPECT_EQ(format_sse_event({"", "", "\n\n"}), "data: \ndata: \ndata: \n\n");
}

TEST(SseFramingTest, EmptyDataStillDispatchesAndOmittedFieldsStayOut) {
  EXPECT_EQ(format_sse_event({}), "data: \n\n");
  EXPECT_EQ(format_sse_event({"7", "", "x"}), "id: 7\ndata: x\n\n");
  EXPECT_EQ(format_sse_event({"", "ready", "{}"}), "event: ready\ndata: {}\n\n");
}

TEST(SseFramingTest, LineBreaksAndNulCannotEscapeIdOrEventName) {
  const std::string id_with_nul(
      "1\0"
      "2",
      3);
  EXPECT_EQ(format_sse_event({"1\ndata: forged", "job\r\nid: 9", "ok"}),
            "id: 1data: forged\nevent: jobid: 9\ndata: ok\n\n");
  EXPECT_EQ(format_sse_event({id_with_nul, "", "ok"}), "id: 12\ndata: ok\n\n");
}

TEST(SseFramingTest, CommentsAndRetry) {
  EXPECT_EQ(format_sse_comment("heartbeat"), ": heartbeat\n\n");
  EXPECT_EQ(format_sse_comment("a\nb"), ": ab\n\n");
  EXPECT_EQ(format_sse_retry(2500ms), "retry: 2500\n\n");
  EXPECT_EQ(format_sse_retry(-1ms), "retry: 0\n\n");
}

}  // namespace
}  // namespace relais::http
