-- API tokens get scopes, a parent and a public id (issue 8, security probe item 7).
-- scopes: "read" or "read write"; NULL means every scope (sign-in sessions, and API tokens
-- created before this migration, which keep what they could do).
ALTER TABLE sessions ADD COLUMN scopes TEXT;
-- A token minted by another API token names it: deleting the parent, by whatever path
-- (revocation, logout, password change), deletes its children, recursively.
ALTER TABLE sessions ADD COLUMN parent_token_hash TEXT
  REFERENCES sessions(token_hash) ON DELETE CASCADE;
CREATE INDEX sessions_parent_token_hash ON sessions(parent_token_hash)
  WHERE parent_token_hash IS NOT NULL;
-- The id token lists show and DELETE /api/v1/tokens/{id} takes (sessions is keyed by the
-- hash, which never leaves the server). AUTOINCREMENT: an id is never reused, so a stale
-- list cannot revoke a newer token.
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT NOT NULL UNIQUE REFERENCES sessions(token_hash) ON DELETE CASCADE
);
INSERT INTO api_tokens(token_hash)
  SELECT token_hash FROM sessions WHERE kind = 'api_token' ORDER BY created_at, token_hash;
