# Sourced by the cluster benchmarks: priority, build, the executable, a work folder, the processes started (killed
# at exit), the CPU seconds of a process, the load average, the seconds of the last job a coordinator's log shows
# (accepted to finished), and a cluster on 127.0.0.1 (a script may define pin CORE to prefix each node's command).
# NICE=-10 (as root) raises the priority of the benchmark and every process it starts, so that other work on a
# shared machine disturbs the measurement less; the load average is printed either way. EXE=PATH runs another build's
# actorcontractivity.dll instead of this tree's (to compare two versions run for run).
if [ -n "${NICE:-}" ]; then renice -n "$NICE" -p "$BASHPID" > /dev/null; fi
here="$(cd "$(dirname "$0")/../.." && pwd)"
dotnet build "$here/src/ActorContractivity.Cli" -c Release --nologo -v q > /dev/null
exe="${EXE:-$here/src/ActorContractivity.Cli/bin/Release/net10.0/actorcontractivity.dll}"
work="$(mktemp -d)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    if [ -n "${KEEP:-}" ]; then echo "logs and data kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
job_seconds() {
    python3 - "$1" <<'PY'
import re, sys, datetime
stamps = {}
for line in open(sys.argv[1]):
    m = re.match(r"\[INFO\]\[([^Z]+)Z\].*Job (\w+) (accepted|finished)", line)
    if m:
        stamps.setdefault(m.group(2), {})[m.group(3)] = datetime.datetime.strptime(m.group(1), "%m/%d/%Y %H:%M:%S.%f")
last = [s for s in stamps.values() if len(s) == 2][-1]
print(f"{(last['finished'] - last['accepted']).total_seconds():.2f}")
PY
}
pin() { :; }
cores=$(nproc)
# start_cluster PORT WORKERS: stops the nodes started before, starts a coordinator-only node on PORT and WORKERS
# worker nodes on the ports after it, waits until the workers have registered; sets $coordinator and $workerpids.
start_cluster() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    pids=()
    local port=$1 workers=$2 w
    local seeds="--seed-node 127.0.0.1:$port"
    $(pin $((cores - 1))) dotnet "$exe" node --port "$port" --roles coordinator --data "$work/data-$port" $seeds \
        > "$work/c.log" 2>&1 &
    coordinator=$!
    pids+=($coordinator)
    workerpids=()
    for w in $(seq 1 "$workers"); do
        $(pin $(((w - 1) % cores))) dotnet "$exe" node --port $((port + w)) --roles worker $seeds \
            > "$work/w$w.log" 2>&1 &
        pids+=($!)
        workerpids+=($!)
    done
    until dotnet "$exe" status --cluster "127.0.0.1:$port" 2>/dev/null | grep -q "live workers: $workers"; do
        sleep 0.5
    done
}
