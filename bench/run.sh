#!/usr/bin/env bash
# bench/run.sh [RUNS]
#
# Start latency: `tsdock run --rm IMAGE true` against `podman run --rm` of the same image and
# bare `runc run` of an already unpacked bundle (the floor: no image store, no rootfs mount),
# side by side in one hyperfine run. All three use a private network namespace with loopback
# only (--network none for both: bridge setup through CNI is measured apart). Prints medians
# and the ratios.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
RUNS=${1:-20}
for t in hyperfine jq skopeo podman umoci runc; do command -v $t >/dev/null || { echo "missing $t: run scripts/setup.sh" >&2; exit 1; }; done
[ -f dist/tsdock.js ] || npm run --silent build

CACHE=${TSDOCK_TESTBED_CACHE:-/var/tmp/tsdock-testbed}
bash test/testbed/build-fixtures.sh "$CACHE"
WORK=$(mktemp -d /var/tmp/tsdock-bench-run.XXXXXX)
PODMAN="podman --root $WORK/podman --runroot $WORK/podman-run --storage-driver overlay --runtime runc --cgroup-manager=cgroupfs --events-backend=file"
cleanup() {
  $PODMAN rm -af >/dev/null 2>&1 || true
  $PODMAN rmi -af >/dev/null 2>&1 || true
  umount -R "$WORK/podman" 2>/dev/null || true
  TSDOCK_ROOT=$WORK/tsdock TSDOCK_RUN_ROOT=$WORK/run ./bin/tsdock rmi -f "$IMAGE" >/dev/null 2>&1 || true
  bash test/testbed/registry.sh stop "$WORK/reg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ADDR=$(bash test/testbed/registry.sh start "$WORK/reg" open | jq -r .addr)
bash test/testbed/push-fixture.sh "$CACHE" busybox latest "$ADDR" library/busybox:latest oci >/dev/null
IMAGE=$ADDR/library/busybox:latest

export TSDOCK_ROOT=$WORK/tsdock TSDOCK_RUN_ROOT=$WORK/run
./bin/tsdock pull -q "$IMAGE" >/dev/null
mkdir -p "$WORK/docker" && echo '{}' >"$WORK/docker/config.json"
DOCKER_CONFIG=$WORK/docker $PODMAN pull -q --tls-verify=false "$IMAGE" >/dev/null

# The floor: runc alone on a bundle unpacked once (umoci's config, made to run `true`).
umoci unpack --image "$CACHE/busybox:latest" "$WORK/bundle" >/dev/null
jq '.process.terminal=false | .process.args=["true"] | .linux.namespaces=[{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}]' \
  "$WORK/bundle/config.json" >"$WORK/bundle/c.json" && mv "$WORK/bundle/c.json" "$WORK/bundle/config.json"

hyperfine -N --runs "$RUNS" --warmup 3 --export-json "$WORK/run.json" \
  -n tsdock "./bin/tsdock run --rm --network none $IMAGE true" \
  -n podman "$PODMAN run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=20000:20000 $IMAGE true" \
  -n runc "runc --root $WORK/runc run --bundle $WORK/bundle bench-floor"

jq -r '
  (.results | map({key: .command, value: .median}) | from_entries) as $m
  | "median ms: " + ([.results[] | "\(.command) \(.median * 1000 | round)"] | join(", ")),
    "ratio podman/tsdock: \(($m.podman / $m.tsdock) * 100 | round / 100)  (above 1: tsdock faster)",
    "tsdock - runc: \((($m.tsdock - $m.runc) * 1000) | round) ms"
' "$WORK/run.json"
