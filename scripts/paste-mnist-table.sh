#!/usr/bin/env bash
# Pastes results/mnist/results.md (written by `actorcontractivity mnist all`) into README.md between the markers
# <!-- mnist-results:begin --> and <!-- mnist-results:end -->, so the README shows the numbers of the last run.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
table="${1:-$here/results/mnist/results.md}"
readme="$here/README.md"
[ -f "$table" ] || { echo "paste-mnist-table.sh: $table not found; run ./mnist.sh all first" >&2; exit 2; }
grep -q '^<!-- mnist-results:begin -->$' "$readme" && grep -q '^<!-- mnist-results:end -->$' "$readme" \
    || { echo "paste-mnist-table.sh: README.md lacks the mnist-results markers" >&2; exit 2; }
updated="$(mktemp "$readme.XXXXXX")"
awk -v table="$table" '
    /^<!-- mnist-results:begin -->$/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /^<!-- mnist-results:end -->$/ { skip = 0 }
    !skip { print }
' "$readme" > "$updated"
mv "$updated" "$readme"
