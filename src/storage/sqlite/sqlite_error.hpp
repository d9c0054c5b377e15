// A failed SQLite call. Thrown by Connection/Statement: inside a unit of work it aborts that
// unit (its savepoint is rolled back); the store turns it into Error::internal, except for
// constraint violations, which the transaction maps to kConflict/kValidationFailed first.
#pragma once

#include <stdexcept>
#include <string>

namespace relais::storage::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int extended_code, const std::string& message)
      : std::runtime_error(message), extended_code_(extended_code) {}

  int extended_code() const { return extended_code_; }
  int primary_code() const { return extended_code_ & 0xff; }
  bool is_constraint() const;        // any SQLITE_CONSTRAINT_*
  bool is_unique_violation() const;  // SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY
  bool is_foreign_key_violation() const;
  bool is_not_null_violation() const;

 private:
  int extended_code_;
};

}  // namespace relais::storage::sqlite
