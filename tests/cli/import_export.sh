#!/bin/sh
# CLI check of relais import/export/demo exit codes and output.
# Usage: tests/cli/import_export.sh [path/to/relais]   (default build/relais)
# RELAIS_TEST_ENGINE=postgres runs it on a fresh database created on the cluster named by
# RELAIS_TEST_PG_URL (a base URL as printed by scripts/pg-cluster) and dropped at the end.
set -eu
RELAIS=${1:-build/relais}
DATA=$(cd "$(dirname "$0")/../data" && pwd)
TMP=$(mktemp -d)
fail() { echo "FAIL: $*" >&2; exit 1; }
case ${RELAIS_TEST_ENGINE:-sqlite} in
  sqlite)
    trap 'rm -rf "$TMP"' EXIT
    DB="sqlite:$TMP/cli.db"
    ;;
  postgres)
    base=${RELAIS_TEST_PG_URL:?RELAIS_TEST_PG_URL must name the PostgreSQL cluster}
    name="relais_cli_$$"
    # postgresql://AUTHORITY/[db][?query] -> the same URL for database $1
    db_url() { printf '%s' "$base" | sed -E "s#^(postgres(ql)?://[^/?]*)/?[^?]*#\1/$1#"; }
    psql -X -q -v ON_ERROR_STOP=1 -d "$(db_url postgres)" -c "CREATE DATABASE $name"
    trap 'psql -X -q -d "$(db_url postgres)" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)"; rm -rf "$TMP"' EXIT
    DB=$(db_url "$name")
    ;;
  *) fail "RELAIS_TEST_ENGINE must be sqlite or postgres" ;;
esac

"$RELAIS" migrate --db "$DB" >/dev/null
"$RELAIS" import contacts "$DATA/contacts_fr_excel.csv" --db "$DB" --dry-run >"$TMP/out" || fail "dry run exit $?"
grep -q "3 would be imported" "$TMP/out" || fail "dry run summary"
"$RELAIS" import contacts "$DATA/contacts_fr_excel.csv" --db "$DB" >"$TMP/out" || fail "import exit $?"
set +e
"$RELAIS" import contacts "$DATA/contacts_en.csv" --db "$DB" >"$TMP/out"; code=$?
set -e
[ "$code" = 2 ] || fail "partial import should exit 2, got $code"
grep -q 'row 3, column "email"' "$TMP/out" || fail "per-row report"
set +e
"$RELAIS" import contacts "$TMP/missing.csv" --db "$DB" 2>/dev/null; code=$?
set -e
[ "$code" = 1 ] || fail "unreadable file should exit 1, got $code"
"$RELAIS" export contacts --db "$DB" --filter 'city = "Orléans"' --out "$TMP/o.csv" 2>/dev/null
[ "$(wc -l <"$TMP/o.csv")" = 2 ] || fail "export row count"
grep -q "Élodie" "$TMP/o.csv" || fail "export content"
"$RELAIS" demo --db "$DB" >"$TMP/out" || fail "demo exit $?"
grep -q "Demo data loaded" "$TMP/out" || fail "demo summary"
"$RELAIS" demo --db "$DB" >"$TMP/out" || fail "demo again exit $?"
grep -q "already present" "$TMP/out" || fail "demo is not idempotent"
"$RELAIS" export contacts --db "$DB" --search "dupont" --out "$TMP/d.csv" 2>/dev/null
[ "$(wc -l <"$TMP/d.csv")" -gt 1 ] || fail "demo contacts not searchable"
echo "import/export CLI (${RELAIS_TEST_ENGINE:-sqlite}): ok"
