#!/usr/bin/env bash
# Stop the daemons that tests/cluster/start-slurm.sh started (and only those), newest first.
# Safe to call when nothing is running; CI calls it from a trap.
set -uo pipefail

STATE_DIR="${W2V_SLURM_DIR:-/tmp/w2vtheory-slurm}"
PIDS="$STATE_DIR/pids"
[[ -s $PIDS ]] || exit 0

# A recorded PID is ours only while it still runs the program it was recorded for.
is_ours() { [[ $(cat "/proc/$2/comm" 2>/dev/null) == "$1" ]]; }

tac "$PIDS" | while read -r name pid; do
    is_ours "$name" "$pid" || continue
    kill -TERM "$pid"
    for _ in $(seq 1 40); do
        is_ours "$name" "$pid" || break
        sleep 0.25
    done
    if is_ours "$name" "$pid"; then
        echo "stop-slurm: $name ($pid) ignored SIGTERM for 10 s, killing it" >&2
        kill -KILL "$pid"
    fi
done
rm -f "$PIDS"
echo "stop-slurm: stopped" >&2
