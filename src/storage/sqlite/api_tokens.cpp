// API tokens on SQLite: rows of `sessions` (kind "api_token") plus their public id in
// `api_tokens` (migration 0006). Parent links are a foreign key with ON DELETE CASCADE, so
// the database itself deletes a token's children whatever deleted the token.
#include <fmt/format.h>

#include "storage/sqlite/sqlite_transaction.hpp"

namespace relais::storage::sqlite {
namespace {

constexpr const char* kTokenColumns =
    "SELECT t.id, s.user_id, s.name, s.scopes, s.created_at, s.expires_at, p.id, s.token_hash "
    "FROM api_tokens t JOIN sessions s ON s.token_hash = t.token_hash "
    "LEFT JOIN api_tokens p ON p.token_hash = s.parent_token_hash ";

domain::ApiTokenRecord token_from_row(Statement& row) {
  domain::ApiTokenRecord t;
  t.id = row.column_int64(0);
  t.user_id = row.column_int64(1);
  t.name = row.is_null(2) ? std::string() : row.column_text(2);
  t.scopes = row.is_null(3) ? std::string() : row.column_text(3);
  t.created_at = row.column_text(4);
  t.expires_at_ms = row.column_int64(5);
  if (!row.is_null(6)) t.parent_id = row.column_int64(6);
  t.token_hash = row.column_text(7);
  return t;
}

}  // namespace

Result<std::int64_t> SqliteTransaction::insert_api_token(const std::string& token_hash,
                                                         const domain::SessionRecord& s) {
  if (!s.parent_token_hash.empty() && !find_session(s.parent_token_hash)) {
    return Error::field("parent", "the token that creates this one no longer exists");
  }
  RELAIS_TRY(insert_session(token_hash, s));
  auto stmt = db_.prepare("INSERT INTO api_tokens(token_hash) VALUES (?)");
  stmt->bind(1, std::string_view(token_hash));
  stmt->run();
  return db_.last_insert_rowid();
}

std::vector<domain::ApiTokenRecord> SqliteTransaction::list_api_tokens(std::int64_t user_id) {
  // Uses the sessions_user_id index; a user holds a bounded number of tokens (TokenService).
  auto stmt = db_.prepare(std::string(kTokenColumns) + "WHERE s.user_id = ? ORDER BY t.id DESC");
  stmt->bind(1, user_id);
  std::vector<domain::ApiTokenRecord> out;
  while (stmt->step()) out.push_back(token_from_row(*stmt));
  return out;
}

std::optional<domain::ApiTokenRecord> SqliteTransaction::find_api_token(std::int64_t id) {
  auto stmt = db_.prepare(std::string(kTokenColumns) + "WHERE t.id = ?");
  stmt->bind(1, id);
  if (!stmt->step()) return std::nullopt;
  return token_from_row(*stmt);
}

Result<std::vector<std::string>> SqliteTransaction::delete_token_tree(
    const std::string& token_hash) {
  // Collect the tree first (the caller drops each hash from its cache), then delete its root:
  // the foreign key cascade removes the rest in the same statement.
  auto tree = db_.prepare(
      "WITH RECURSIVE tree(h) AS (SELECT token_hash FROM sessions WHERE token_hash = ? "
      "UNION SELECT s.token_hash FROM sessions s JOIN tree ON s.parent_token_hash = tree.h) "
      "SELECT h FROM tree");
  tree->bind(1, std::string_view(token_hash));
  std::vector<std::string> hashes;
  while (tree->step()) hashes.push_back(tree->column_text(0));
  if (hashes.empty()) return hashes;
  auto stmt = db_.prepare("DELETE FROM sessions WHERE token_hash = ?");
  stmt->bind(1, std::string_view(token_hash));
  stmt->run();
  return hashes;
}

Result<int> SqliteTransaction::delete_expired_api_tokens(std::int64_t user_id,
                                                         std::int64_t now_ms) {
  auto stmt = db_.prepare(
      "DELETE FROM sessions WHERE user_id = ? AND kind = 'api_token' AND expires_at <> 0 "
      "AND expires_at <= ?");
  stmt->bind(1, user_id);
  stmt->bind(2, now_ms);
  stmt->run();
  return db_.changes();
}

}  // namespace relais::storage::sqlite
