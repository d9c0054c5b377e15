#include "storage/sqlite/fts_log.hpp"

#include <algorithm>

namespace relais::storage::sqlite {

void FtsLog::add(const std::string& sql, std::vector<SqlValue> values) {
  ops_.push_back(Op{sql, std::move(values)});
}

void FtsLog::flush(Connection& db) {
  while (flushed_ < ops_.size()) {
    const Op& op = ops_[flushed_];
    auto stmt = db.prepare(op.sql);
    stmt->bind_all(op.values);
    stmt->run();
    ++flushed_;
  }
}

void FtsLog::rollback_to(const Mark& m) {
  ops_.resize(std::min(ops_.size(), m.size));
  flushed_ = std::min(flushed_, m.flushed);
}

void FtsLog::clear() {
  ops_.clear();
  flushed_ = 0;
}

}  // namespace relais::storage::sqlite
