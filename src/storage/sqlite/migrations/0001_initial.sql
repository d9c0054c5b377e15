-- Relais initial schema (SQLite). One table per EntitySchema (table = plural, column = field
-- name); JSON-typed fields are TEXT holding JSON; booleans INTEGER 0/1; dates and datetimes
-- ISO 8601 TEXT (UTC, sorts correctly); money and integers INTEGER.
-- Full-text search: one external-content FTS5 table per entity with searchable fields, kept
-- in sync by triggers (so every writer, including the CLI importer, keeps it right).

CREATE TABLE teams (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL,
  name TEXT,
  role TEXT NOT NULL,
  team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
  locale TEXT,
  time_zone TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  password_hash TEXT
);
CREATE UNIQUE INDEX users_email_unique ON users(lower(email));
CREATE INDEX users_team_id ON users(team_id);

CREATE TABLE companies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  domain TEXT,
  industry TEXT,
  size TEXT,
  phone TEXT,
  address TEXT,
  city TEXT,
  postcode TEXT,
  country TEXT,
  tags TEXT,
  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
  custom TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX companies_domain_unique ON companies(lower(domain))
  WHERE domain IS NOT NULL AND domain <> '';
CREATE INDEX companies_name ON companies(name);
CREATE INDEX companies_owner_id ON companies(owner_id);
CREATE INDEX companies_team_id ON companies(team_id);
CREATE INDEX companies_created_at ON companies(created_at);
CREATE INDEX companies_updated_at ON companies(updated_at);

CREATE TABLE contacts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  first_name TEXT,
  last_name TEXT,
  emails TEXT,
  phones TEXT,
  title TEXT,
  company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
  address TEXT,
  city TEXT,
  postcode TEXT,
  country TEXT,
  tags TEXT,
  lifecycle_stage TEXT,
  source TEXT,
  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
  score INTEGER NOT NULL DEFAULT 0,
  custom TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX contacts_last_name ON contacts(last_name);
CREATE INDEX contacts_company_id ON contacts(company_id);
CREATE INDEX contacts_owner_id ON contacts(owner_id);
CREATE INDEX contacts_team_id ON contacts(team_id);
CREATE INDEX contacts_created_at ON contacts(created_at);
CREATE INDEX contacts_updated_at ON contacts(updated_at);
CREATE INDEX contacts_lifecycle_stage ON contacts(lifecycle_stage);
CREATE INDEX contacts_score ON contacts(score);

-- Case-insensitive unique e-mail addresses across contacts (stored lower-cased).
CREATE TABLE contact_emails (
  email TEXT PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX contact_emails_contact_id ON contact_emails(contact_id);

CREATE TABLE pipelines (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  stages TEXT NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE deals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  amount INTEGER NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'EUR',
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE RESTRICT,
  stage_id TEXT,
  probability INTEGER,
  expected_close_date TEXT,
  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
  contact_ids TEXT,
  company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
  status TEXT NOT NULL DEFAULT 'open',
  lost_reason TEXT,
  stage_changed_at TEXT,
  closed_at TEXT,
  custom TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX deals_pipeline_stage ON deals(pipeline_id, stage_id);
CREATE INDEX deals_company_id ON deals(company_id);
CREATE INDEX deals_owner_id ON deals(owner_id);
CREATE INDEX deals_team_id ON deals(team_id);
CREATE INDEX deals_status ON deals(status);
CREATE INDEX deals_expected_close_date ON deals(expected_close_date);
CREATE INDEX deals_created_at ON deals(created_at);
CREATE INDEX deals_updated_at ON deals(updated_at);

CREATE TABLE activities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  subject TEXT,
  body TEXT,
  occurred_at TEXT,
  duration_minutes INTEGER,
  outcome TEXT,
  contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
  company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
  deal_id INTEGER REFERENCES deals(id) ON DELETE SET NULL,
  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX activities_contact_id ON activities(contact_id);
CREATE INDEX activities_company_id ON activities(company_id);
CREATE INDEX activities_deal_id ON activities(deal_id);
CREATE INDEX activities_owner_id ON activities(owner_id);
CREATE INDEX activities_team_id ON activities(team_id);
CREATE INDEX activities_occurred_at ON activities(occurred_at);
CREATE INDEX activities_created_at ON activities(created_at);
CREATE INDEX activities_updated_at ON activities(updated_at);

CREATE TABLE tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  description TEXT,
  due_date TEXT,
  assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  priority TEXT,
  status TEXT NOT NULL DEFAULT 'open',
  completed_at TEXT,
  contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
  company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
  deal_id INTEGER REFERENCES deals(id) ON DELETE SET NULL,
  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX tasks_contact_id ON tasks(contact_id);
CREATE INDEX tasks_company_id ON tasks(company_id);
CREATE INDEX tasks_deal_id ON tasks(deal_id);
CREATE INDEX tasks_assignee_due ON tasks(assignee_id, due_date);
CREATE INDEX tasks_status_due ON tasks(status, due_date);
CREATE INDEX tasks_due_date ON tasks(due_date);
CREATE INDEX tasks_owner_id ON tasks(owner_id);
CREATE INDEX tasks_team_id ON tasks(team_id);
CREATE INDEX tasks_updated_at ON tasks(updated_at);

CREATE TABLE notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  body TEXT NOT NULL,
  contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
  company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
  deal_id INTEGER REFERENCES deals(id) ON DELETE SET NULL,
  pinned INTEGER NOT NULL DEFAULT 0,
  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX notes_contact_id ON notes(contact_id);
CREATE INDEX notes_company_id ON notes(company_id);
CREATE INDEX notes_deal_id ON notes(deal_id);
CREATE INDEX notes_owner_id ON notes(owner_id);
CREATE INDEX notes_team_id ON notes(team_id);
CREATE INDEX notes_updated_at ON notes(updated_at);

CREATE TABLE custom_fields (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  entity TEXT NOT NULL,
  "key" TEXT NOT NULL,
  label TEXT NOT NULL,
  type TEXT NOT NULL,
  options TEXT,
  required INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX custom_fields_entity_key ON custom_fields(entity, "key");

-- Append-only history. actor_user_id 0 = the system (CLI, jobs): no foreign key on purpose.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor_user_id INTEGER NOT NULL,
  entity TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  action TEXT NOT NULL,
  before_json TEXT,
  after_json TEXT
);
CREATE INDEX audit_log_record ON audit_log(entity, record_id, at);

-- Transactional outbox: written in the same transaction as the change, consumed by jobs/.
CREATE TABLE outbox_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  entity TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  actor_user_id INTEGER NOT NULL,
  payload_json TEXT NOT NULL,
  processed_at TEXT
);
CREATE INDEX outbox_events_pending ON outbox_events(id) WHERE processed_at IS NULL;

CREATE TABLE deal_stage_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
  from_stage TEXT,
  to_stage TEXT NOT NULL,
  at TEXT NOT NULL,
  actor_user_id INTEGER NOT NULL
);
CREATE INDEX deal_stage_changes_deal ON deal_stage_changes(deal_id, at);

-- Only hashes of tokens are stored. expires_at: epoch milliseconds, 0 = never.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  csrf_token TEXT,
  name TEXT,
  created_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX sessions_user_id ON sessions(user_id);

CREATE VIRTUAL TABLE contacts_fts USING fts5(first_name, last_name, emails, phones, city, content='contacts', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2', prefix='2 3');
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
  INSERT INTO contacts_fts(rowid, first_name, last_name, emails, phones, city) VALUES (new.id, new.first_name, new.last_name, new.emails, new.phones, new.city);
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
  INSERT INTO contacts_fts(contacts_fts, rowid, first_name, last_name, emails, phones, city) VALUES ('delete', old.id, old.first_name, old.last_name, old.emails, old.phones, old.city);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF first_name, last_name, emails, phones, city ON contacts BEGIN
  INSERT INTO contacts_fts(contacts_fts, rowid, first_name, last_name, emails, phones, city) VALUES ('delete', old.id, old.first_name, old.last_name, old.emails, old.phones, old.city);
  INSERT INTO contacts_fts(rowid, first_name, last_name, emails, phones, city) VALUES (new.id, new.first_name, new.last_name, new.emails, new.phones, new.city);
END;

CREATE VIRTUAL TABLE companies_fts USING fts5(name, domain, city, content='companies', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2', prefix='2 3');
CREATE TRIGGER companies_fts_insert AFTER INSERT ON companies BEGIN
  INSERT INTO companies_fts(rowid, name, domain, city) VALUES (new.id, new.name, new.domain, new.city);
END;
CREATE TRIGGER companies_fts_delete AFTER DELETE ON companies BEGIN
  INSERT INTO companies_fts(companies_fts, rowid, name, domain, city) VALUES ('delete', old.id, old.name, old.domain, old.city);
END;
CREATE TRIGGER companies_fts_update AFTER UPDATE OF name, domain, city ON companies BEGIN
  INSERT INTO companies_fts(companies_fts, rowid, name, domain, city) VALUES ('delete', old.id, old.name, old.domain, old.city);
  INSERT INTO companies_fts(rowid, name, domain, city) VALUES (new.id, new.name, new.domain, new.city);
END;

CREATE VIRTUAL TABLE deals_fts USING fts5(title, content='deals', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER deals_fts_insert AFTER INSERT ON deals BEGIN
  INSERT INTO deals_fts(rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER deals_fts_delete AFTER DELETE ON deals BEGIN
  INSERT INTO deals_fts(deals_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER deals_fts_update AFTER UPDATE OF title ON deals BEGIN
  INSERT INTO deals_fts(deals_fts, rowid, title) VALUES ('delete', old.id, old.title);
  INSERT INTO deals_fts(rowid, title) VALUES (new.id, new.title);
END;

CREATE VIRTUAL TABLE activities_fts USING fts5(subject, content='activities', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER activities_fts_insert AFTER INSERT ON activities BEGIN
  INSERT INTO activities_fts(rowid, subject) VALUES (new.id, new.subject);
END;
CREATE TRIGGER activities_fts_delete AFTER DELETE ON activities BEGIN
  INSERT INTO activities_fts(activities_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
END;
CREATE TRIGGER activities_fts_update AFTER UPDATE OF subject ON activities BEGIN
  INSERT INTO activities_fts(activities_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
  INSERT INTO activities_fts(rowid, subject) VALUES (new.id, new.subject);
END;

CREATE VIRTUAL TABLE tasks_fts USING fts5(title, content='tasks', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
  INSERT INTO tasks_fts(rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
  INSERT INTO tasks_fts(tasks_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER tasks_fts_update AFTER UPDATE OF title ON tasks BEGIN
  INSERT INTO tasks_fts(tasks_fts, rowid, title) VALUES ('delete', old.id, old.title);
  INSERT INTO tasks_fts(rowid, title) VALUES (new.id, new.title);
END;

CREATE VIRTUAL TABLE notes_fts USING fts5(body, content='notes', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
  INSERT INTO notes_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
  INSERT INTO notes_fts(notes_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER notes_fts_update AFTER UPDATE OF body ON notes BEGIN
  INSERT INTO notes_fts(notes_fts, rowid, body) VALUES ('delete', old.id, old.body);
  INSERT INTO notes_fts(rowid, body) VALUES (new.id, new.body);
END;

CREATE VIRTUAL TABLE users_fts USING fts5(email, name, content='users', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
  INSERT INTO users_fts(rowid, email, name) VALUES (new.id, new.email, new.name);
END;
CREATE TRIGGER users_fts_delete AFTER DELETE ON users BEGIN
  INSERT INTO users_fts(users_fts, rowid, email, name) VALUES ('delete', old.id, old.email, old.name);
END;
CREATE TRIGGER users_fts_update AFTER UPDATE OF email, name ON users BEGIN
  INSERT INTO users_fts(users_fts, rowid, email, name) VALUES ('delete', old.id, old.email, old.name);
  INSERT INTO users_fts(rowid, email, name) VALUES (new.id, new.email, new.name);
END;

CREATE VIRTUAL TABLE teams_fts USING fts5(name, content='teams', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER teams_fts_insert AFTER INSERT ON teams BEGIN
  INSERT INTO teams_fts(rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER teams_fts_delete AFTER DELETE ON teams BEGIN
  INSERT INTO teams_fts(teams_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER teams_fts_update AFTER UPDATE OF name ON teams BEGIN
  INSERT INTO teams_fts(teams_fts, rowid, name) VALUES ('delete', old.id, old.name);
  INSERT INTO teams_fts(rowid, name) VALUES (new.id, new.name);
END;

