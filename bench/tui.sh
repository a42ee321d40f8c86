#!/usr/bin/env bash
# bench/tui.sh [SECONDS]
#
# Idle cost of the TUI: 200 containers (created, --network none) in a private store, the TUI open
# on them in tmux, then its CPU use over SECONDS (default 30) with nothing happening, from
# /proc/<pid>/stat (utime+stime delta / elapsed) beside `top`'s figure for the same process over
# the same window. Everything it makes (registry, store, containers, tmux session) is removed.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
SECS=${1:-30}
COUNT=${TSDOCK_BENCH_CONTAINERS:-200}
for t in tmux jq top getconf; do command -v $t >/dev/null || { echo "missing $t: run scripts/setup.sh" >&2; exit 1; }; done
[ -f dist/tsdock.js ] || npm run --silent build

CACHE=${TSDOCK_TESTBED_CACHE:-/var/tmp/tsdock-testbed}
bash test/testbed/build-fixtures.sh "$CACHE"
WORK=$(mktemp -d /var/tmp/tsdock-bench-tui.XXXXXX)
SESSION=tsdock-bench-tui-$$
export TSDOCK_ROOT=$WORK/tsdock TSDOCK_RUN_ROOT=$WORK/run TSDOCK_CONFIG=$WORK/config.json DOCKER_CONFIG=$WORK/docker
echo '{}' >"$TSDOCK_CONFIG"
cleanup() {
  tmux kill-session -t "$SESSION" 2>/dev/null || true
  ids=$(./bin/tsdock ps -aq 2>/dev/null || true)
  [ -z "$ids" ] || ./bin/tsdock rm -f $ids >/dev/null 2>&1 || true
  bash test/testbed/registry.sh stop "$WORK/reg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ADDR=$(bash test/testbed/registry.sh start "$WORK/reg" open | jq -r .addr)
bash test/testbed/push-fixture.sh "$CACHE" busybox latest "$ADDR" library/busybox:latest oci >/dev/null
IMAGE=$ADDR/library/busybox:latest
./bin/tsdock pull -q "$IMAGE" >/dev/null

echo "creating $COUNT containers…" >&2
seq -w 1 "$COUNT" | xargs -P 2 -I{} ./bin/tsdock create --network none --name "bench-{}" "$IMAGE" true >/dev/null
[ "$(./bin/tsdock ps -aq | wc -l)" = "$COUNT" ] || { echo "expected $COUNT containers" >&2; exit 1; }

# The TUI is the pane's own process (no shell in between), so the pane's PID is the one measured.
tmux new-session -d -s "$SESSION" -x 120 -y 40 \
  "env TSDOCK_ROOT=$TSDOCK_ROOT TSDOCK_RUN_ROOT=$TSDOCK_RUN_ROOT TSDOCK_CONFIG=$TSDOCK_CONFIG DOCKER_CONFIG=$DOCKER_CONFIG $(command -v node) dist/tsdock.js"
PID=$(tmux display-message -p -t "$SESSION" '#{pane_pid}')
for _ in $(seq 100); do tmux capture-pane -p -t "$SESSION" | grep -q "Containers ($COUNT)" && break; sleep 0.1; done
tmux capture-pane -p -t "$SESSION" | grep -q "Containers ($COUNT)" || { echo "the TUI did not show $COUNT containers:" >&2; tmux capture-pane -p -t "$SESSION" >&2; exit 1; }
# Settle: the first frames, the watcher set-up and the one full GC V8 runs some seconds after
# start-up (its memory reducer) are start-up costs, not idle ones (TSDOCK_BENCH_SETTLE=2 shows them).
sleep "${TSDOCK_BENCH_SETTLE:-15}"

ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
HZ=$(getconf CLK_TCK)
# top's second frame covers the same window as the /proc reading.
top -b -d "$SECS" -n 2 -p "$PID" >"$WORK/top.txt" &
TOP=$!
T0=$(ticks); S0=$(date +%s.%N)
# Where the ticks fall (5 s slices, to stderr): a steady cost or one event (the 30 s age tick)?
PREV=$T0
for ((i = 5; i <= SECS; i += 5)); do sleep 5; NOW=$(ticks); printf '%ss:+%s ' "$i" "$((NOW - PREV))" >&2; PREV=$NOW; done
sleep $((SECS % 5))
echo >&2
T1=$(ticks); S1=$(date +%s.%N)
wait $TOP
PROC=$(awk -v t0="$T0" -v t1="$T1" -v s0="$S0" -v s1="$S1" -v hz="$HZ" 'BEGIN { printf "%.2f", (t1 - t0) / hz / (s1 - s0) * 100 }')
# %CPU of the PID's line in the last frame (the column is found by its header).
TOPCPU=$(awk -v pid="$PID" '/^ *PID/ { for (i = 1; i <= NF; i++) if ($i == "%CPU") col = i } $1 == pid { v = $col } END { print v }' "$WORK/top.txt")
tmux capture-pane -p -t "$SESSION" | grep -q "Containers ($COUNT)" || { echo "the TUI is no longer showing the list" >&2; exit 1; }
echo "TUI pid $PID, $COUNT containers, ${SECS} s idle: $((T1 - T0)) ticks of CPU at $HZ Hz"
echo "idle CPU: ${PROC}% of a core (top: ${TOPCPU}%)"
tmux send-keys -t "$SESSION" q
