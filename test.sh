#!/usr/bin/env bash
# Restores, builds (warnings are errors) and runs every test project in Release.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build ActorContractivity.sln -c Release
dotnet test ActorContractivity.sln -c Release --no-build --logger "console;verbosity=minimal"
