#!/usr/bin/env bash
# Cluster scaling: the same 64-sample job (n = 28 per sample, A = G/√n − 2I, certification off) on a coordinator node plus 1 and
# then 2 worker processes with one worker each, all on 127.0.0.1; prints the wall time of `certify --cluster`.
# Usage: bench/cluster/scaling.sh [WORKERS...]   (default: 1 2)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
dotnet build "$here/src/ActorContractivity.Cli" -c Release --nologo -v q > /dev/null
exe="$here/src/ActorContractivity.Cli/bin/Release/net10.0/actorcontractivity.dll"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
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
export ACTORCONTRACTIVITY_Workers__Count=1
port=25600
for workers in "${@:-1 2}"; do
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    pids=()
    port=$((port + 10))
    seeds="--seed-node 127.0.0.1:$port"
    dotnet "$exe" node --port "$port" --roles coordinator --data "$work/data-$port" $seeds > "$work/c.log" 2>&1 &
    pids+=($!)
    for w in $(seq 1 "$workers"); do
        dotnet "$exe" node --port $((port + w)) --roles worker $seeds > "$work/w$w.log" 2>&1 &
        pids+=($!)
    done
    until dotnet "$exe" status --cluster "127.0.0.1:$port" 2>/dev/null | grep -q "live workers: $workers"; do sleep 0.5; done
    start=$(date +%s.%N)
    dotnet "$exe" certify "$work/model.json" --certify off --cluster "127.0.0.1:$port" --json "$work/r$workers.json" \
        2> /dev/null | grep "^answer" || true
    end=$(date +%s.%N)
    echo "workers $workers: $(echo "$end - $start" | bc) s wall"
done
start=$(date +%s.%N)
dotnet "$exe" certify "$work/model.json" --certify off > /dev/null
end=$(date +%s.%N)
echo "in-process (one worker per core): $(echo "$end - $start" | bc) s wall"
