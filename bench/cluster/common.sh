# Sourced by the cluster benchmarks: priority, build, the executable, a work folder, the processes started (killed
# at exit), the CPU seconds of a process and the load average.
# NICE=-10 (as root) raises the priority of the benchmark and every process it starts, so that other work on a
# shared machine disturbs the measurement less; the load average is printed either way.
if [ -n "${NICE:-}" ]; then renice -n "$NICE" -p "$BASHPID" > /dev/null; fi
here="$(cd "$(dirname "$0")/../.." && pwd)"
dotnet build "$here/src/ActorContractivity.Cli" -c Release --nologo -v q > /dev/null
exe="$here/src/ActorContractivity.Cli/bin/Release/net10.0/actorcontractivity.dll"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
