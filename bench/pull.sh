#!/usr/bin/env bash
# bench/pull.sh [RUNS]
#
# Cold pull of a >100 MB, 5-layer image from a local registry (docker-registry on 127.0.0.1),
# side by side in one run: tsdock (download + verify + unpack), podman (same work, into its
# overlay storage) and skopeo copy to an OCI directory (download + verify only, no unpack: the
# floor). Every run starts from an empty store. Prints medians and the ratios to tsdock.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
RUNS=${1:-5}
for t in hyperfine jq skopeo podman; do command -v $t >/dev/null || { echo "missing $t: run scripts/setup.sh" >&2; exit 1; }; done
[ -f dist/tsdock.js ] || npm run --silent build

CACHE=${TSDOCK_TESTBED_CACHE:-/var/tmp/tsdock-testbed}
bash test/testbed/build-fixtures.sh "$CACHE" big
WORK=$(mktemp -d /var/tmp/tsdock-bench-pull.XXXXXX)
cleanup() {
  bash test/testbed/registry.sh stop "$WORK/reg" >/dev/null 2>&1 || true
  podman --root "$WORK/podman" --runroot "$WORK/podman-run" --storage-driver overlay rmi -a -f >/dev/null 2>&1 || true
  umount -R "$WORK/podman" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ADDR=$(bash test/testbed/registry.sh start "$WORK/reg" open | jq -r .addr)
bash test/testbed/push-fixture.sh "$CACHE" big latest "$ADDR" big:latest oci >/dev/null
IMAGE=$ADDR/big:latest
SIZE=$(skopeo inspect --tls-verify=false --raw docker://$IMAGE | jq '[.layers[].size] | add')
echo "image $IMAGE: $(jq -n "$SIZE/1000000 | floor") MB compressed"

PODMAN="podman --root $WORK/podman --runroot $WORK/podman-run --storage-driver overlay --events-backend=file --cgroup-manager=cgroupfs"
hyperfine --runs "$RUNS" --warmup 1 --export-json "$WORK/pull.json" \
  --prepare "rm -rf $WORK/tsdock $WORK/oci; $PODMAN rmi -a -f >/dev/null 2>&1 || true" \
  -n tsdock "./bin/tsdock --root $WORK/tsdock pull -q $IMAGE" \
  -n podman "$PODMAN pull -q --tls-verify=false $IMAGE" \
  -n skopeo "skopeo --insecure-policy copy -q --src-tls-verify=false docker://$IMAGE oci:$WORK/oci:latest"

jq -r '
  (.results | map({key: .command, value: .median}) | from_entries) as $m
  | "median seconds: " + ([.results[] | "\(.command) \(.median * 1000 | round / 1000)"] | join(", ")),
    "ratio podman/tsdock: \(($m.podman / $m.tsdock) * 100 | round / 100)  (above 1: tsdock faster)",
    "ratio skopeo/tsdock: \(($m.skopeo / $m.tsdock) * 100 | round / 100)  (skopeo does not unpack)"
' "$WORK/pull.json"
