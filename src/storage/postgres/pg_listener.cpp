#include "storage/postgres/pg_listener.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "storage/postgres/pg_connection.hpp"
#include "storage/postgres/pg_job_queue.hpp"

namespace relais::storage::postgres {
namespace {

constexpr int kFirstRetryMs = 100;
constexpr int kMaxRetryMs = 5'000;
constexpr int kPingAfterMs = 30'000;  // of silence: then a round trip proves the link alive

}  // namespace

PgListener::PgListener(std::string url, const domain::SignalHub& hub)
    : url_(std::move(url)), hub_(hub) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  }
}

PgListener::~PgListener() {
  stop();
  ::close(wake_fd_);
}

bool PgListener::start(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  if (!started_) {
    started_ = true;
    thread_ = std::thread([this] { run(); });
  }
  return connected_.wait_for(lock, wait, [this] { return connections_.load() > 0; });
}

void PgListener::stop() {
  stopping_ = true;
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
}

bool PgListener::pause(int ms) {
  pollfd fd{wake_fd_, POLLIN, 0};
  ::poll(&fd, 1, ms);
  return !stopping_;
}

void PgListener::run() {
  int retry_ms = kFirstRetryMs;
  bool warned = false;  // one warning per outage, not one per attempt
  while (!stopping_) {
    std::unique_ptr<PgConnection> db;
    try {
      db = std::make_unique<PgConnection>(url_);
      db->exec(std::string("LISTEN ") + PgJobQueue::kJobsChannel + "; LISTEN " + kAuthChannel);
    } catch (const PgError& e) {
      if (!warned) {
        spdlog::warn(
            "PostgreSQL listener: {}; retrying (jobs and sign-outs elsewhere are seen "
            "by polling meanwhile)",
            e.what());
        warned = true;
      }
      if (!pause(retry_ms)) return;
      retry_ms = std::min(retry_ms * 2, kMaxRetryMs);
      continue;
    }
    if (warned) spdlog::info("PostgreSQL listener: connected again");
    warned = false;
    retry_ms = kFirstRetryMs;
    backend_pid_ = db->backend_pid();
    // Whatever was notified while no connection listened is lost: say so (signals.hpp). Before
    // counting the connection, so the first one's is over when start() returns.
    hub_.publish_missed();
    {
      std::lock_guard lock(mutex_);
      ++connections_;
    }
    connected_.notify_all();

    while (!stopping_) {
      std::array<pollfd, 2> fds{pollfd{db->socket(), POLLIN, 0}, pollfd{wake_fd_, POLLIN, 0}};
      const int ready = ::poll(fds.data(), fds.size(), kPingAfterMs);
      if (stopping_) break;
      try {
        if (ready == 0) db->exec("SELECT 1");
        while (auto note = db->next_notification()) {
          if (note->channel == kAuthChannel) {
            hub_.publish(domain::Signal{domain::Topic::kAuth, note->payload, false});
          } else {
            hub_.publish(domain::Signal{domain::Topic::kJobsDue, {}, false});
          }
        }
        if (!db->healthy()) throw PgError("the connection was closed", "");
      } catch (const PgError& e) {
        spdlog::warn("PostgreSQL listener: lost its connection ({}); reconnecting", e.what());
        warned = true;
        break;
      }
    }
    backend_pid_ = 0;
  }
}

}  // namespace relais::storage::postgres
