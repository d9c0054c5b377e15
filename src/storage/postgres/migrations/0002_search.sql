-- Full-text search with the SQLite engine's semantics (FTS5, unicode61 remove_diacritics,
-- prefix queries): every term of a search must match the start of a word, ignoring case and
-- accents ("helene" finds "Hélène", "dup" finds "Dupont", "acme" finds "jean@acme.fr").
-- Each searchable table gets a generated tsvector of its searchable fields, normalised by
-- relais_search_text (unaccent, lower case, punctuation to spaces, so that e-mail addresses
-- and hyphenated names split into words as FTS5 splits them), with a GIN index; a search is
-- `search_vector @@ relais_search_query(text)`.
-- unaccent is a trusted extension: the database owner may create it (PostgreSQL >= 13).
CREATE EXTENSION IF NOT EXISTS unaccent;

-- IMMUTABLE (required by generated columns and indexes) although unaccent() is only STABLE:
-- the dictionary is named explicitly and search_path is pinned, the usual way to index
-- unaccented text. Separators: ASCII punctuation and controls, and the typographic marks of
-- French text (quotes, guillemets, dashes, ellipsis, no-break spaces).
CREATE FUNCTION relais_search_text(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
  SELECT regexp_replace(lower(unaccent('unaccent'::regdictionary, coalesce(t, ''))),
                        '[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f«»“”„‘’‚‹›–—…\u00a0\u202f]+', ' ', 'g')
$$;

-- The search as FTS5 reads SQLite's `"term"*` for each whitespace-separated term, all
-- required: a term that splits into several words ("jean-pierre", "jean@acme.fr") is a
-- phrase, its words adjacent and in order, only the last one a prefix ('jean' <-> 'pierre':*);
-- a one-word term is a prefix ('dup':*). NULL when nothing searchable.
CREATE FUNCTION relais_search_query(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
  SELECT to_tsquery('simple', string_agg(phrase, ' & ' ORDER BY i))
  FROM (SELECT term.i, string_agg(word.w, ' <-> ' ORDER BY word.j) || ':*' AS phrase
        FROM regexp_split_to_table(btrim(coalesce(q, '')), '\s+') WITH ORDINALITY AS term(t, i)
        CROSS JOIN LATERAL regexp_split_to_table(btrim(relais_search_text(term.t)), ' +')
          WITH ORDINALITY AS word(w, j)
        WHERE word.w <> ''
        GROUP BY term.i) AS phrases
$$;

-- The searchable fields of a row as one tsvector, each field's words in a run of positions
-- of its own: the gap between two fields keeps a phrase from spanning them, as an FTS5 phrase
-- never spans two columns. The gap is a '0.0.0' lexeme (a version number, which normalised
-- text cannot hold: it has no dots), deleted again.
CREATE FUNCTION relais_search_vector(VARIADIC fields text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
  SELECT ts_delete(to_tsvector('simple', array_to_string(
    ARRAY(SELECT relais_search_text(f) FROM unnest(fields) AS f), ' 0.0.0 ')), '0.0.0'::text)
$$;

ALTER TABLE contacts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  relais_search_vector(first_name, last_name, emails::text, phones::text, city)) STORED;
ALTER TABLE companies ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  relais_search_vector(name, domain, city)) STORED;
ALTER TABLE deals ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  relais_search_vector(title)) STORED;
ALTER TABLE activities ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  relais_search_vector(subject)) STORED;
ALTER TABLE tasks ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  relais_search_vector(title)) STORED;
ALTER TABLE notes ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  relais_search_vector(body)) STORED;
ALTER TABLE users ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  relais_search_vector(email, name)) STORED;
ALTER TABLE teams ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  relais_search_vector(name)) STORED;

CREATE INDEX contacts_search ON contacts USING gin (search_vector);
CREATE INDEX companies_search ON companies USING gin (search_vector);
CREATE INDEX deals_search ON deals USING gin (search_vector);
CREATE INDEX activities_search ON activities USING gin (search_vector);
CREATE INDEX tasks_search ON tasks USING gin (search_vector);
CREATE INDEX notes_search ON notes USING gin (search_vector);
CREATE INDEX users_search ON users USING gin (search_vector);
CREATE INDEX teams_search ON teams USING gin (search_vector);
