#!/usr/bin/env bash
# Layer shards across node processes on 127.0.0.1: the 200-block width-256 ResNet (`generate resnet --blocks 200
# --width 256`, 200 independent samples of two layers) and the 32-layer width-512 deep model (`generate deep
# --layers 32 --width 512`, one sample whose layers are split over the nodes), each certified with
# `certify --cluster --shard-layers N` on a coordinator process (no workers) plus N = 1, 2, 4 worker processes (one
# compute thread each). For each run it prints the wall time of the client (start-up, loading, upload, the job),
# the job's own time (accepted to finished, from the coordinator's log), the answer, the peak resident memory
# (VmHWM) and the CPU seconds of every worker process and of the coordinator in the timed job, and the load average
# before and after.
# Usage: bench/cluster/shards.sh [MODEL...]   (resnet, deep; default both)
# Settings (environment): NODES ("1 2 4"), RESNET_OPTIONS and DEEP_OPTIONS (the certify options, below), PORT
# (26600: the nodes listen on the ports from PORT + 10 on), ROUNDS (1: how many times the NODES runs are repeated,
# one after the other; with more than one, each model ends with the ratios of every round's job times to its first
# NODES entry's, and their median, since on a shared machine single pairs of runs differ by a tenth), WARM (unset:
# each timed job meets freshly started nodes, which compile the solver, the serializers and Akka's code paths while
# it runs; 1: a 16-block ResNet of the same width runs through the nodes untimed first, so that the timed job meets
# warm nodes, as on a cluster that has run a job before).
set -euo pipefail
source "$(dirname "$0")/common.sh"   # NICE, $exe, $work, $pids, load, job_seconds, start_cluster
resnet_options=${RESNET_OPTIONS:-"--starts 1 --tol 1e-2 --certify off"}
deep_options=${DEEP_OPTIONS:-"--starts 1 --tol 5e-2 --certify off"}
dotnet "$exe" generate resnet --blocks 200 --width 256 --out "$work/resnet" | head -1
dotnet "$exe" generate deep --layers 32 --width 512 --out "$work/deep" | head -1
if [ -n "${WARM:-}" ]; then dotnet "$exe" generate resnet --blocks 16 --width 256 --out "$work/warm" > /dev/null; fi
export ACTORCONTRACTIVITY_Workers__Count=1 ACTORCONTRACTIVITY_Workers__InnerThreads=1
peak() { awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$1/status"; }
port=${PORT:-26600}
models=${*:-resnet deep}
rounds=${ROUNDS:-1}
for model in $models; do
    options=$([ "$model" = resnet ] && echo "$resnet_options" || echo "$deep_options")
    ratios=""
    for round in $(seq 1 "$rounds"); do
        base=""
        for nodes in ${NODES:-1 2 4}; do
            port=$((port + 10))
            start_cluster "$port" "$nodes"
            if [ -n "${WARM:-}" ]; then
                # shellcheck disable=SC2086
                dotnet "$exe" certify "$work/warm/model.json" $options --cluster "127.0.0.1:$port" \
                    --shard-layers "$nodes" > /dev/null 2>&1
            fi
            # The CPU seconds printed are the timed job's: what the nodes had used before it is subtracted.
            spent=()
            for p in "${workerpids[@]}" "$coordinator"; do spent+=("$(cpu "$p")"); done
            before=$(load)
            start=$(date +%s.%N)
            # shellcheck disable=SC2086
            answer=$(dotnet "$exe" certify "$work/$model/model.json" $options --cluster "127.0.0.1:$port" \
                --shard-layers "$nodes" 2> "$work/client.err" | grep "^answer" || tail -3 "$work/client.err")
            end=$(date +%s.%N)
            memory="" seconds=""
            i=0
            for p in "${workerpids[@]}"; do
                memory="$memory $(peak "$p")"
                seconds="$seconds $(echo "$(cpu "$p") - ${spent[$i]}" | bc)"
                i=$((i + 1))
            done
            mine=$(echo "$(cpu "$coordinator") - ${spent[$i]}" | bc)
            # A job that did not finish (the client's last lines say why) has no time and no ratio.
            job=$(job_seconds "$work/c.log" 2> /dev/null || echo none)
            echo "$model, $nodes worker nodes ($options): $(echo "$end - $start" | bc) s wall, job $job s;" \
                "$answer; peak RSS per worker node:$memory; coordinator $(peak "$coordinator"); CPU seconds per" \
                "worker node:$seconds; coordinator $mine; load $before -> $(load)"
            cp "$work/c.log" "$work/$model-$nodes-coordinator-$round.log"
            if [ "$job" = none ] || [ "$base" = none ]; then
                base=${base:-none}
            elif [ -z "$base" ]; then
                base=$job
            else
                ratios="$ratios $nodes:$(echo "scale=3; $job / $base" | bc)"
            fi
        done
    done
    if [ "$rounds" -gt 1 ]; then
        # shellcheck disable=SC2086
        python3 - "$model" $ratios <<'PY'
import collections, statistics, sys
by = collections.defaultdict(list)
for item in sys.argv[2:]:
    nodes, ratio = item.split(":")
    by[nodes].append(float(ratio))
for nodes, values in by.items():
    print(f"{sys.argv[1]}, {nodes} worker nodes against the first: job time ratios "
          + " ".join(f"{v:.3f}" for v in values) + f", median {statistics.median(values):.3f}")
PY
    fi
done
