#!/usr/bin/env bash
# What two processes on this machine's two cores can do for the layer-shard ResNet benchmark, without the cluster:
# the work of shards.sh's ResNet job (its 200 samples through the four boxes the one-start outer search evaluates),
# first all of it in one process on core 0, then half in each of two processes at once on cores 0 and 1. The second
# wall time over the first is the best ratio of job times 2 worker nodes could reach here against 1. Other sessions'
# load shows in it as well (each half then gets less than a core: compare its processor seconds with its wall time),
# so the load average is printed with each round. One round takes about a minute on an idle machine.
# Usage: bench/cluster/ceiling.sh   (ROUNDS=K repeats both; NICE=-10, as root, raises the priority)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -n "${NICE:-}" ]; then renice -n "$NICE" -p "$BASHPID" > /dev/null; fi
project="$here/bench/ActorContractivity.Benchmarks"
dotnet build "$project" -c Release --nologo -v q > /dev/null
bench="$project/bin/Release/net10.0/ActorContractivity.Benchmarks.dll"
for round in $(seq 1 "${ROUNDS:-1}"); do
    alone=$(taskset -c 0 dotnet "$bench" ceiling 0 200)
    pair=$( (taskset -c 0 dotnet "$bench" ceiling 0 100 & taskset -c 1 dotnet "$bench" ceiling 100 100; wait) \
        | sort -n -k2 | paste -s -d';' | sed 's/;/; /g')
    echo "round $round: one process: $alone; two at once: $pair; load $(cut -d' ' -f1-3 /proc/loadavg)"
    python3 - "$alone" "$pair" <<'PY'
import re, sys
alone = float(re.search(r"([\d.]+) s wall", sys.argv[1]).group(1))
pair = max(float(w) for w in re.findall(r"([\d.]+) s wall", sys.argv[2]))
print(f"  two at once / one alone: {pair:.2f} / {alone:.2f} s = {pair / alone:.3f}")
PY
done
