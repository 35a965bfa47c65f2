#!/usr/bin/env bash
# Coordinator overhead per task: a job of trivial tasks through the real dispatcher, over remoting. The model
# has 2000 samples of 3 × 3 weights and asks for μ∞ at c = −0.02 (a closed form: each task takes microseconds),
# so what the run costs is what the cluster spends on a task: the dispatcher, the coordinator, serialization,
# two messages over loopback.
# A coordinator node and one worker process (one worker) on 127.0.0.1; prints the tasks, wall time and CPU seconds
# per task of the coordinator and the worker, and the load average.
# Usage: bench/cluster/overhead.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"   # NICE, $exe, $work, $pids, cpu, load
python3 - "$work" <<'PY'
import json, random, sys
d = sys.argv[1]; r = random.Random(3); samples = []
for k in range(2000):
    a = [[r.gauss(0, 0.3) - (2.0 if i == j else 0) for j in range(3)] for i in range(3)]
    samples.append({"t": 0.01 * k, "layers": [a]})
json.dump({"format": "actorcontractivity/v1", "samples": samples}, open(f"{d}/model.json", "w"))
PY
export ACTORCONTRACTIVITY_Workers__Count=1
port=25700
dotnet "$exe" node --port "$port" --roles coordinator --data "$work/data" --seed-node "127.0.0.1:$port" \
    > "$work/c.log" 2>&1 &
coordinator=$!
pids+=($coordinator)
dotnet "$exe" node --port $((port + 1)) --roles worker --seed-node "127.0.0.1:$port" > "$work/w.log" 2>&1 &
worker=$!
pids+=($worker)
until dotnet "$exe" status --cluster "127.0.0.1:$port" 2>/dev/null | grep -q "live workers: 1"; do sleep 0.5; done
before=$(load)
c0=$(cpu "$coordinator"); w0=$(cpu "$worker")
start=$(date +%s.%N)
dotnet "$exe" certify "$work/model.json" --norm inf --c -0.02 --certify off --cluster "127.0.0.1:$port" \
    --json "$work/report.json" > /dev/null 2>&1
end=$(date +%s.%N)
c1=$(cpu "$coordinator"); w1=$(cpu "$worker")
tasks=$(python3 -c "import json; print(2000 * (len(json.load(open('$work/report.json'))['outerIterations']) + 1))")
python3 - "$tasks" "$start" "$end" "$c0" "$c1" "$w0" "$w1" "$before" "$(load)" <<'PY'
import sys
tasks, start, end, c0, c1, w0, w1 = (float(v) for v in sys.argv[1:8])
print(f"{int(tasks)} tasks in {end - start:.2f} s wall: {1000 * (end - start) / tasks:.2f} ms wall per task, "
      f"CPU per task {1000 * (c1 - c0) / tasks:.2f} ms coordinator, {1000 * (w1 - w0) / tasks:.2f} ms worker; "
      f"load {sys.argv[8]} -> {sys.argv[9]}")
PY
