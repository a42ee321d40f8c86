#!/usr/bin/env bash
# bench/push.sh [RUNS]
#
# Push of a >100 MB, 5-layer image to a local registry (docker-registry on 127.0.0.1), side by
# side in one run: tsdock push (its stored compressed blobs), podman push (recompresses from
# its storage) and skopeo copy from the fixture's OCI layout (the floor: blobs as files). Before
# every run the registry is restarted on empty storage, so nothing is skipped as "already
# exists" or mounted. Prints medians and the ratios to tsdock.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
RUNS=${1:-5}
for t in hyperfine jq skopeo podman; do command -v $t >/dev/null || { echo "missing $t: run scripts/setup.sh" >&2; exit 1; }; done
[ -f dist/tsdock.js ] || npm run --silent build

CACHE=${TSDOCK_TESTBED_CACHE:-/var/tmp/tsdock-testbed}
bash test/testbed/build-fixtures.sh "$CACHE" big
WORK=$(mktemp -d /var/tmp/tsdock-bench-push.XXXXXX)
PODMAN="podman --root $WORK/podman --runroot $WORK/podman-run --storage-driver overlay --events-backend=file --cgroup-manager=cgroupfs"
cleanup() {
  bash test/testbed/registry.sh stop "$WORK/src" >/dev/null 2>&1 || true
  bash test/testbed/registry.sh stop "$WORK/dst" >/dev/null 2>&1 || true
  $PODMAN rmi -a -f >/dev/null 2>&1 || true
  umount -R "$WORK/podman" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The source: both pushers get the image by pulling it, as a user would have it.
SRC=$(bash test/testbed/registry.sh start "$WORK/src" open | jq -r .addr)
bash test/testbed/push-fixture.sh "$CACHE" big latest "$SRC" big:latest oci >/dev/null
# The target: a fixed port, restarted empty before every run.
DST=$(bash test/testbed/registry.sh start "$WORK/dst" open | jq -r .addr)
cat >"$WORK/reset.sh" <<EOF
set -e
bash test/testbed/registry.sh stop "$WORK/dst" >/dev/null
rm -rf "$WORK/dst"
TSDOCK_REGISTRY_PORT=${DST##*:} bash test/testbed/registry.sh start "$WORK/dst" open >/dev/null
EOF

./bin/tsdock --root "$WORK/tsdock" pull -q "$SRC/big:latest" >/dev/null
./bin/tsdock --root "$WORK/tsdock" tag "$SRC/big:latest" "$DST/big:latest"
mkdir -p "$WORK/docker" && echo '{}' >"$WORK/docker/config.json"
DOCKER_CONFIG=$WORK/docker $PODMAN pull -q --tls-verify=false "$SRC/big:latest" >/dev/null
$PODMAN tag "$SRC/big:latest" "$DST/big:latest"
SIZE=$(skopeo inspect --tls-verify=false --raw "docker://$SRC/big:latest" | jq '[.layers[].size] | add')
echo "image big:latest: $(jq -n "$SIZE/1000000 | floor") MB compressed, pushed to an empty registry each run"

# Check that a run after the reset uploads every layer (nothing "already exists").
bash "$WORK/reset.sh"
echo "layers uploaded by one tsdock push after a reset: $(./bin/tsdock --root "$WORK/tsdock" push "$DST/big:latest" | grep -c ': Pushed$')"

DOCKER_CONFIG=$WORK/docker hyperfine --runs "$RUNS" --warmup 1 --export-json "$WORK/push.json" \
  --prepare "bash $WORK/reset.sh" \
  -n tsdock "./bin/tsdock --root $WORK/tsdock push -q $DST/big:latest" \
  -n podman "$PODMAN push -q --tls-verify=false $DST/big:latest" \
  -n skopeo "skopeo --insecure-policy copy -q --dest-tls-verify=false oci:$CACHE/big:latest docker://$DST/big:latest"

jq -r '
  (.results | map({key: .command, value: .median}) | from_entries) as $m
  | "median seconds: " + ([.results[] | "\(.command) \(.median * 1000 | round / 1000)"] | join(", ")),
    "ratio podman/tsdock: \(($m.podman / $m.tsdock) * 100 | round / 100)  (above 1: tsdock faster)",
    "ratio skopeo/tsdock: \(($m.skopeo / $m.tsdock) * 100 | round / 100)  (skopeo copies files of an OCI layout)"
' "$WORK/push.json"
