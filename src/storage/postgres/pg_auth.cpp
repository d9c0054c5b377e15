// PgTransaction's credentials, sessions, API tokens and sign-in throttle counters: the
// tables of migrations 0001, 0005 and 0006, with the SQLite engine's behaviour
// (sqlite_transaction.cpp, api_tokens.cpp). Parent links are a foreign key with ON DELETE
// CASCADE, so the database deletes a token's children whatever deleted the token.
#include <fmt/format.h>

#include "storage/common/keyset.hpp"
#include "storage/common/time_util.hpp"
#include "storage/postgres/pg_transaction.hpp"

namespace relais::storage::postgres {
namespace {

constexpr const char* kTokenColumns =
    "SELECT t.id, s.user_id, s.name, s.scopes, s.created_at, s.expires_at, p.id, s.token_hash "
    "FROM api_tokens t JOIN sessions s ON s.token_hash = t.token_hash "
    "LEFT JOIN api_tokens p ON p.token_hash = s.parent_token_hash ";

domain::ApiTokenRecord token_from_row(const PgResult& row, int r) {
  domain::ApiTokenRecord t;
  t.id = row.int64(r, 0);
  t.user_id = row.int64(r, 1);
  t.name = std::string(row.text(r, 2));
  t.scopes = std::string(row.text(r, 3));
  t.created_at = std::string(row.text(r, 4));
  t.expires_at_ms = row.int64(r, 5);
  if (!row.is_null(r, 6)) t.parent_id = row.int64(r, 6);
  t.token_hash = std::string(row.text(r, 7));
  return t;
}

}  // namespace

std::optional<domain::UserCredentials> PgTransaction::find_credentials_by_email(
    const std::string& email) {
  auto row = db_.query("SELECT id, password_hash, active FROM users WHERE lower(email) = $1",
                       params(normalise_key(email)));
  if (row.rows() == 0) return std::nullopt;
  domain::UserCredentials c;
  c.user_id = row.int64(0, 0);
  c.password_hash = std::string(row.text(0, 1));
  c.active = row.boolean(0, 2);
  return c;
}

Result<void> PgTransaction::set_password_hash(std::int64_t user_id, const std::string& hash) {
  auto result = write("UPDATE users SET password_hash = $1 WHERE id = $2", params(hash, user_id));
  if (result.affected() == 0) return Error::not_found(fmt::format("user {} not found", user_id));
  return {};
}

Result<void> PgTransaction::insert_session(const std::string& token_hash,
                                           const domain::SessionRecord& s) {
  // The user's existence is checked first (the foreign key would abort the transaction); a
  // token hash is 256 random bits, so it never clashes.
  if (db_.query("SELECT 1 FROM users WHERE id = $1", params(s.user_id)).rows() == 0) {
    return Error::not_found(fmt::format("user {} not found", s.user_id));
  }
  write(
      "INSERT INTO sessions(token_hash, user_id, kind, csrf_token, created_at, expires_at, name, "
      "last_seen_at, scopes, parent_token_hash) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, ''), NULLIF($10, ''))",
      params(token_hash, s.user_id, s.kind, s.csrf_token, now_iso(), s.expires_at_ms, s.name,
             s.last_seen_at_ms, s.scopes, s.parent_token_hash));
  return {};
}

std::optional<domain::SessionRecord> PgTransaction::find_session(const std::string& token_hash) {
  auto row = db_.query(
      "SELECT user_id, kind, expires_at, csrf_token, name, last_seen_at, scopes, "
      "parent_token_hash FROM sessions WHERE token_hash = $1",
      params(token_hash));
  if (row.rows() == 0) return std::nullopt;
  domain::SessionRecord s;
  s.user_id = row.int64(0, 0);
  s.kind = std::string(row.text(0, 1));
  s.expires_at_ms = row.int64(0, 2);
  s.csrf_token = std::string(row.text(0, 3));
  s.name = std::string(row.text(0, 4));
  s.last_seen_at_ms = row.int64(0, 5);
  s.scopes = std::string(row.text(0, 6));
  s.parent_token_hash = std::string(row.text(0, 7));
  return s;
}

Result<void> PgTransaction::delete_session(const std::string& token_hash) {
  write("DELETE FROM sessions WHERE token_hash = $1", params(token_hash));
  return {};
}

Result<int> PgTransaction::delete_sessions_of_user(std::int64_t user_id,
                                                   const std::string& except_token_hash) {
  // The kept token must not go down with its parent (ON DELETE CASCADE): detach it first.
  if (!except_token_hash.empty()) {
    write("UPDATE sessions SET parent_token_hash = NULL WHERE token_hash = $1 AND user_id = $2",
          params(except_token_hash, user_id));
  }
  // Like SQLite's changes(), the count leaves out rows the cascade deleted.
  auto result = write("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
                      params(user_id, except_token_hash));
  return static_cast<int>(result.affected());
}

Result<void> PgTransaction::touch_session(const std::string& token_hash, std::int64_t seen_at_ms) {
  write("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2",
        params(seen_at_ms, token_hash));
  return {};
}

std::optional<domain::LoginThrottleCount> PgTransaction::find_login_throttle(
    const std::string& key) {
  auto row =
      db_.query("SELECT failures, last_failure_at FROM login_throttle WHERE key = $1", params(key));
  if (row.rows() == 0) return std::nullopt;
  return domain::LoginThrottleCount{static_cast<int>(row.int64(0, 0)), row.int64(0, 1)};
}

Result<void> PgTransaction::put_login_throttle(const std::string& key,
                                               const domain::LoginThrottleCount& count) {
  write(
      "INSERT INTO login_throttle(key, failures, last_failure_at) VALUES ($1, $2, $3) "
      "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
      "last_failure_at = excluded.last_failure_at",
      params(key, std::int64_t{count.failures}, count.last_failure_at_ms));
  return {};
}

Result<void> PgTransaction::delete_login_throttle(const std::string& key) {
  write("DELETE FROM login_throttle WHERE key = $1", params(key));
  return {};
}

Result<int> PgTransaction::prune_login_throttle(std::int64_t before_ms) {
  auto result = write("DELETE FROM login_throttle WHERE last_failure_at < $1", params(before_ms));
  return static_cast<int>(result.affected());
}

Result<std::int64_t> PgTransaction::insert_api_token(const std::string& token_hash,
                                                     const domain::SessionRecord& s) {
  if (!s.parent_token_hash.empty() && !find_session(s.parent_token_hash)) {
    return Error::field("parent", "the token that creates this one no longer exists");
  }
  RELAIS_TRY(insert_session(token_hash, s));
  auto row =
      write("INSERT INTO api_tokens(token_hash) VALUES ($1) RETURNING id", params(token_hash));
  return row.int64(0, 0);
}

std::vector<domain::ApiTokenRecord> PgTransaction::list_api_tokens(std::int64_t user_id) {
  auto rows = db_.query(std::string(kTokenColumns) + "WHERE s.user_id = $1 ORDER BY t.id DESC",
                        params(user_id));
  std::vector<domain::ApiTokenRecord> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) out.push_back(token_from_row(rows, r));
  return out;
}

std::optional<domain::ApiTokenRecord> PgTransaction::find_api_token(std::int64_t id) {
  auto rows = db_.query(std::string(kTokenColumns) + "WHERE t.id = $1", params(id));
  if (rows.rows() == 0) return std::nullopt;
  return token_from_row(rows, 0);
}

Result<std::vector<std::string>> PgTransaction::delete_token_tree(const std::string& token_hash) {
  auto tree = db_.query(
      "WITH RECURSIVE tree(h) AS (SELECT token_hash FROM sessions WHERE token_hash = $1 "
      "UNION SELECT s.token_hash FROM sessions s JOIN tree ON s.parent_token_hash = tree.h) "
      "SELECT h FROM tree",
      params(token_hash));
  std::vector<std::string> hashes;
  hashes.reserve(static_cast<std::size_t>(tree.rows()));
  for (int r = 0; r < tree.rows(); ++r) hashes.emplace_back(tree.text(r, 0));
  if (hashes.empty()) return hashes;
  write("DELETE FROM sessions WHERE token_hash = $1", params(token_hash));
  return hashes;
}

Result<int> PgTransaction::delete_expired_api_tokens(std::int64_t user_id, std::int64_t now_ms) {
  auto result = write(
      "DELETE FROM sessions WHERE user_id = $1 AND kind = 'api_token' AND expires_at <> 0 "
      "AND expires_at <= $2",
      params(user_id, now_ms));
  return static_cast<int>(result.affected());
}

}  // namespace relais::storage::postgres
