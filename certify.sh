#!/usr/bin/env bash
# Builds the command-line tool once and runs `actorcontractivity certify` with the given arguments.
# Without arguments it certifies the shipped one-layer example.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! build_log="$(dotnet build "$here/src/ActorContractivity.Cli" -c Release --nologo 2>&1)"; then
    printf '%s\n' "$build_log" >&2
    exit 3
fi
if [ "$#" -eq 0 ]; then
    set -- "$here/examples/one-layer/weights.npy"
fi
exec dotnet "$here/src/ActorContractivity.Cli/bin/Release/net10.0/actorcontractivity.dll" certify "$@"
