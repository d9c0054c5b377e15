#include "domain/signals.hpp"

#include <algorithm>
#include <mutex>

namespace relais::domain {

std::string auth_token_key(const std::string& token_hash) { return "token:" + token_hash; }
std::string auth_user_key(std::int64_t user_id) { return "user:" + std::to_string(user_id); }

Subscription SignalHub::subscribe(Topic topic, SignalHandler handler) {
  std::unique_lock lock(mutex_);
  const std::uint64_t id = ++next_id_;
  entries_.push_back(Entry{id, topic, std::move(handler)});
  return Subscription([this, id] {
    std::unique_lock cancel_lock(mutex_);
    std::erase_if(entries_, [id](const Entry& e) { return e.id == id; });
  });
}

void SignalHub::publish(const Signal& signal) const {
  std::shared_lock lock(mutex_);
  for (const Entry& e : entries_) {
    if (e.topic == signal.topic) e.handler(signal);
  }
}

void SignalHub::publish_missed() const {
  for (Topic topic : {Topic::kJobsDue, Topic::kOutbox, Topic::kAuth}) {
    publish(Signal{topic, {}, true});
  }
}

bool SignalHub::has_subscribers(Topic topic) const {
  std::shared_lock lock(mutex_);
  return std::any_of(entries_.begin(), entries_.end(),
                     [topic](const Entry& e) { return e.topic == topic; });
}

void PendingSignals::add(Topic topic, std::string key) {
  const bool known = std::any_of(signals_.begin(), signals_.end(),
                                 [&](const Signal& s) { return s.topic == topic && s.key == key; });
  if (!known) signals_.push_back(Signal{topic, std::move(key), false});
}

void PendingSignals::merge(const PendingSignals& other) {
  for (const Signal& s : other.signals_) add(s.topic, s.key);
}

void PendingSignals::publish_to(const SignalHub& hub) const {
  for (const Signal& s : signals_) hub.publish(s);
}

}  // namespace relais::domain
