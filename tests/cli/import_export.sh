#!/bin/sh
# CLI check of relais import/export/demo exit codes and output.
# Usage: tests/cli/import_export.sh [path/to/relais]   (default build/relais)
set -eu
RELAIS=${1:-build/relais}
DATA=$(cd "$(dirname "$0")/../data" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
DB="sqlite:$TMP/cli.db"
fail() { echo "FAIL: $*" >&2; exit 1; }

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
echo "import/export CLI: ok"
