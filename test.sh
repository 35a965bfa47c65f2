#!/usr/bin/env bash
# Restores, builds (warnings are errors) and runs every test project in Release.
# The deployment tests run a real PostgreSQL server on loopback: its binaries are installed here when missing and
# this runs as root (CI, a fresh Debian 12 machine); elsewhere install them yourself (apt-get install postgresql,
# brew install postgresql) or those tests fail saying so.
set -euo pipefail
cd "$(dirname "$0")"

have_postgres() {
    compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || command -v initdb > /dev/null
}

if ! have_postgres; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null; then
        echo "test.sh: installing the PostgreSQL server for the deployment tests"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql > /dev/null
    else
        echo "test.sh: no PostgreSQL server binaries (initdb); the deployment tests will fail" >&2
    fi
fi

dotnet build ActorContractivity.sln -c Release
dotnet test ActorContractivity.sln -c Release --no-build --logger "console;verbosity=minimal"
