#!/usr/bin/env bash
# Cluster scaling: the same 64-sample job (n = 28 per sample, A = G/√n − 2I, certification off) on a coordinator
# node plus 1, then 2, worker processes with one worker each, all on 127.0.0.1. For each run it prints the wall time
# of `certify --cluster` (a fresh client process: start-up, loading, upload, the job) and of the job alone
# (accepted to finished, from the coordinator's log), the CPU seconds of the coordinator, of the workers and of the
# client, and the load average before and after (the machine may be shared). Each configuration first runs the
# job once untimed, so that the timed run meets warm processes (JIT and serializers done) as a long-running
# cluster would. With PIN=1 worker process i runs on core i−1 (taskset) and the coordinator and client on the
# last core. At the end it measures
# what the machine gives two independent processes at that moment: the same job in process, pinned to one core
# (one worker), alone and then twice at once on the two cores; their ratio is the ceiling of any 2× speed-up.
# Usage: bench/cluster/scaling.sh [WORKERS...]   (default: 1 2)
set -euo pipefail
source "$(dirname "$0")/common.sh"   # NICE, $exe, $work, $pids, cpu, load, job_seconds, start_cluster
python3 - "$work" <<'PY'
import json, math, random, sys
d = sys.argv[1]; r = random.Random(5); samples = []
for k in range(64):
    n = 28
    a = [[r.gauss(0, 1) / math.sqrt(n) - (2.0 if i == j else 0) for j in range(n)] for i in range(n)]
    open(f"{d}/s{k}.csv", "w").write("\n".join(",".join(repr(v) for v in row) for row in a) + "\n")
    samples.append({"t": 0.1 * k, "layers": [f"s{k}.csv"]})
json.dump({"format": "actorcontractivity/v1", "samples": samples}, open(f"{d}/model.json", "w"))
PY
pin() { if [ "${PIN:-0}" = 1 ]; then echo "taskset -c $1"; fi; }
export ACTORCONTRACTIVITY_Workers__Count=1
port=25600
for workers in "${@:-1 2}"; do
    port=$((port + 10))
    start_cluster "$port" "$workers"
    dotnet "$exe" certify "$work/model.json" --certify off --cluster "127.0.0.1:$port" > /dev/null 2>&1 || true
    before=$(load)
    c0=$(cpu "$coordinator")
    w0=0; for p in "${workerpids[@]}"; do w0=$(echo "$w0 + $(cpu "$p")" | bc); done
    start=$(date +%s.%N)
    $(pin $((cores - 1))) /usr/bin/time -f "%U %S" -o "$work/client.time" dotnet "$exe" certify "$work/model.json" \
        --certify off --cluster "127.0.0.1:$port" --json "$work/r$workers.json" 2> /dev/null | grep "^answer" || true
    end=$(date +%s.%N)
    c1=$(cpu "$coordinator")
    w1=0; for p in "${workerpids[@]}"; do w1=$(echo "$w1 + $(cpu "$p")" | bc); done
    client=$(awk '{ printf "%.2f", $1 + $2 }' "$work/client.time")
    job=$(job_seconds "$work/c.log")
    echo "workers $workers: $(echo "$end - $start" | bc) s wall, job $job s; CPU s: coordinator" \
        "$(echo "$c1 - $c0" | bc), workers $(echo "$w1 - $w0" | bc), client $client; load $before -> $(load)"
done
for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
pids=()
solo() { taskset -c "$1" dotnet "$exe" certify "$work/model.json" --certify off > /dev/null; }
start=$(date +%s.%N); solo 0; end=$(date +%s.%N)
alone=$(echo "$end - $start" | bc)
start=$(date +%s.%N); solo 0 & other=$!; solo 1; wait "$other"; end=$(date +%s.%N)
both=$(echo "$end - $start" | bc)
echo "in process on one core: $alone s alone, $both s for two at once on two cores:" \
    "the machine gives $(echo "scale=2; 2 * $alone / $both" | bc)x; load $(load)"
