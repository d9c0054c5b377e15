#include "domain/jobs/job_change_feed.hpp"

#include <algorithm>

namespace relais::domain {

JobChangeFeed::JobChangeFeed(Store& store, JobChangeFeedOptions options)
    : store_(store), options_(std::move(options)) {}

JobChangeFeed::~JobChangeFeed() { stop(); }

void JobChangeFeed::subscribe(std::shared_ptr<JobChangeListener> listener,
                              std::optional<JobChangePosition> after) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    pending_.push_back({std::move(listener), after});
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  wake_.notify_all();
}

void JobChangeFeed::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t JobChangeFeed::listener_count() const {
  std::lock_guard lock(mutex_);
  return active_count_ + pending_.size();
}

bool JobChangeFeed::read_changes(JobChangePosition after, std::vector<JobChange>& out) {
  Result<Json> read = store_.read([&](Transaction& tx) -> Result<Json> {
    out = tx.jobs().changes_after(after, options_.batch);  // replaced: a unit may run again
    return Json();
  });
  if (!read.ok() && options_.on_error) {
    options_.on_error("job change feed: " + read.error().message);
  }
  return read.ok();
}

// A new listener: the head (or its own position), then, when it resumes from behind the
// shared poll, every change since, read for it alone, before it joins the shared poll.
void JobChangeFeed::start(Pending pending) {
  Subscriber subscriber{std::move(pending.listener), pending.after.value_or(cursor_)};
  if (!subscriber.listener->on_start(subscriber.position)) return;
  if (subscriber.position < cursor_) {
    std::vector<JobChange> changes;
    for (;;) {
      if (!read_changes(subscriber.position, changes)) return;  // it reconnects and tries again
      if (changes.empty()) break;
      if (!subscriber.listener->on_changes(changes)) return;
      subscriber.position = changes.back().position;
      if (changes.size() < static_cast<std::size_t>(options_.batch)) break;
    }
  }
  subscribers_.push_back(std::move(subscriber));
}

void JobChangeFeed::deliver(const std::vector<JobChange>& changes) {
  std::vector<JobChange> subset;
  for (auto& subscriber : subscribers_) {
    if (!subscriber.listener) continue;
    // Caught up past some of these already: only what lies beyond its own position.
    auto first = std::find_if(changes.begin(), changes.end(),
                              [&](const JobChange& c) { return subscriber.position < c.position; });
    if (first == changes.end()) continue;
    bool kept = false;
    if (first == changes.begin()) {
      kept = subscriber.listener->on_changes(changes);
    } else {
      subset.assign(first, changes.end());
      kept = subscriber.listener->on_changes(subset);
    }
    if (kept) {
      subscriber.position = changes.back().position;
    } else {
      subscriber.listener.reset();
    }
  }
}

void JobChangeFeed::run() {
  bool fresh = true;  // no listener since the last idle spell: the cursor is stale
  for (;;) {
    std::vector<Pending> arrived;
    {
      std::unique_lock lock(mutex_);
      if (subscribers_.empty()) {
        wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      } else {
        wake_.wait_for(lock, options_.poll_interval,
                       [&] { return stopping_ || !pending_.empty(); });
      }
      if (stopping_) return;
      arrived.swap(pending_);
      active_count_ = subscribers_.size() + arrived.size();
    }
    if (subscribers_.empty() && !arrived.empty() && fresh) {
      // Nobody listened meanwhile: start at the head, not at what was read long ago.
      Result<Json> head = store_.read([&](Transaction& tx) -> Result<Json> {
        cursor_ = tx.jobs().change_head();
        return Json();
      });
      if (!head.ok()) {
        if (options_.on_error) options_.on_error("job change feed: " + head.error().message);
        std::lock_guard lock(mutex_);
        for (auto& p : arrived) pending_.push_back(std::move(p));  // next round
        continue;
      }
      fresh = false;
    }
    for (auto& pending : arrived) start(std::move(pending));

    // The shared poll: everything since the cursor, in batches, to every listener.
    std::vector<JobChange> changes;
    while (!subscribers_.empty() && read_changes(cursor_, changes) && !changes.empty()) {
      deliver(changes);
      cursor_ = changes.back().position;
      if (changes.size() < static_cast<std::size_t>(options_.batch)) break;
    }
    std::erase_if(subscribers_,
                  [](const Subscriber& s) { return !s.listener || !s.listener->alive(); });
    if (subscribers_.empty()) fresh = true;
    std::lock_guard lock(mutex_);
    active_count_ = subscribers_.size();
  }
}

}  // namespace relais::domain
