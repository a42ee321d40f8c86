#!/usr/bin/env bash
# Sets everything up, then shows tsdock working offline: a private registry on 127.0.0.1:5000
# (Debian's docker-registry) seeded with fixture images built from busybox-static, configured
# as tsdock's docker.io mirror, so that `tsdock pull busybox` works with no internet. Then
# launches tsdock. The registry keeps running (stop it: bash test/testbed/registry.sh stop
# /var/tmp/tsdock-demo/registry).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
bash scripts/setup.sh

DEMO=/var/tmp/tsdock-demo
FIXTURES=${TSDOCK_TESTBED_CACHE:-/var/tmp/tsdock-testbed}
bash test/testbed/build-fixtures.sh "$FIXTURES"
mkdir -p "$DEMO"
if ! curl -fsS http://127.0.0.1:5000/v2/ >/dev/null 2>&1; then
  bash test/testbed/registry.sh stop "$DEMO/registry" >/dev/null 2>&1 || true
  rm -rf "$DEMO/registry"
  TSDOCK_REGISTRY_PORT=5000 bash test/testbed/registry.sh start "$DEMO/registry" open >/dev/null
fi
for img in "busybox latest library/busybox:latest" "busybox 1.36 library/busybox:1.36" "layered v1 demo/layered:v1" "multiarch latest demo/multiarch:latest"; do
  read -r fixture tag dest <<<"$img"
  bash test/testbed/push-fixture.sh "$FIXTURES" "$fixture" "$tag" 127.0.0.1:5000 "$dest" oci >/dev/null
done

# The demo's own store and config, so nothing of the machine's tsdock setup is touched.
export TSDOCK_ROOT=$DEMO/root TSDOCK_CONFIG=$DEMO/config.json
echo '{ "registry-mirrors": ["http://127.0.0.1:5000"] }' > "$TSDOCK_CONFIG"
echo "+ tsdock pull busybox          (docker.io/library/busybox through the local mirror)"
./bin/tsdock pull busybox
echo "+ tsdock pull 127.0.0.1:5000/demo/layered:v1"
./bin/tsdock pull 127.0.0.1:5000/demo/layered:v1
echo "+ tsdock tags busybox"
./bin/tsdock tags busybox
echo "+ tsdock images"
./bin/tsdock images
# Something for the Containers pane: a web server (a random free port on 127.0.0.1) and a
# container that has exited. Made afresh each time the demo starts.
./bin/tsdock rm -f demo-web demo-hello >/dev/null 2>&1 || true
echo "+ tsdock run -d --name demo-web -p 127.0.0.1::80 busybox httpd -f -p 80 -h /etc"
./bin/tsdock run -d --name demo-web -p 127.0.0.1::80 busybox httpd -f -p 80 -h /etc
echo "+ tsdock run --name demo-hello busybox echo hello from tsdock"
./bin/tsdock run --name demo-hello busybox echo hello from tsdock
./bin/tsdock ps -a
echo
echo "TSDOCK_ROOT=$TSDOCK_ROOT TSDOCK_CONFIG=$TSDOCK_CONFIG ./bin/tsdock   # to keep using this store"
exec ./bin/tsdock "$@"
