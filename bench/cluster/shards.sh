#!/usr/bin/env bash
# Layer shards across node processes on 127.0.0.1: the 200-block width-256 ResNet (`generate resnet --blocks 200
# --width 256`, 200 independent samples of two layers) and the 32-layer width-512 deep model (`generate deep
# --layers 32 --width 512`, one sample whose layers are split over the nodes), each certified with
# `certify --cluster --shard-layers N` on a coordinator process (no workers) plus N = 1, 2, 4 worker processes (one
# compute thread each). For each run it prints the wall time of the client (start-up, loading, upload, the job),
# the job's own time (accepted to finished, from the coordinator's log), the answer, the peak resident memory
# (VmHWM) and the CPU seconds of every worker process and of the coordinator, and the load average before and after.
# Usage: bench/cluster/shards.sh [MODEL...]   (resnet, deep; default both)
# Settings (environment): NODES ("1 2 4"), RESNET_OPTIONS and DEEP_OPTIONS (the certify options, below), PORT
# (26600: the nodes listen on the ports from PORT + 10 on).
set -euo pipefail
source "$(dirname "$0")/common.sh"   # NICE, $exe, $work, $pids, load, job_seconds, start_cluster
resnet_options=${RESNET_OPTIONS:-"--starts 1 --tol 1e-2 --certify off"}
deep_options=${DEEP_OPTIONS:-"--starts 1 --tol 5e-2 --certify off"}
dotnet "$exe" generate resnet --blocks 200 --width 256 --out "$work/resnet" | head -1
dotnet "$exe" generate deep --layers 32 --width 512 --out "$work/deep" | head -1
export ACTORCONTRACTIVITY_Workers__Count=1 ACTORCONTRACTIVITY_Workers__InnerThreads=1
peak() { awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$1/status"; }
port=${PORT:-26600}
models=${*:-resnet deep}
for model in $models; do
    options=$([ "$model" = resnet ] && echo "$resnet_options" || echo "$deep_options")
    for nodes in ${NODES:-1 2 4}; do
        port=$((port + 10))
        start_cluster "$port" "$nodes"
        before=$(load)
        start=$(date +%s.%N)
        # shellcheck disable=SC2086
        answer=$(dotnet "$exe" certify "$work/$model/model.json" $options --cluster "127.0.0.1:$port" \
            --shard-layers "$nodes" 2> "$work/client.err" | grep "^answer" || tail -3 "$work/client.err")
        end=$(date +%s.%N)
        memory="" seconds=""
        for p in "${workerpids[@]}"; do memory="$memory $(peak "$p")"; seconds="$seconds $(cpu "$p")"; done
        echo "$model, $nodes worker nodes ($options): $(echo "$end - $start" | bc) s wall, job" \
            "$(job_seconds "$work/c.log") s; $answer; peak RSS per worker node:$memory; coordinator" \
            "$(peak "$coordinator"); CPU seconds per worker node:$seconds; coordinator $(cpu "$coordinator");" \
            "load $before -> $(load)"
        cp "$work/c.log" "$work/$model-$nodes-coordinator.log"
    done
done
