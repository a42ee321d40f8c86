#!/usr/bin/env bash
# build-fixtures.sh DIR [big]
#
# Builds tsdock's fixture images as OCI image layouts, DIR/<name>, with umoci and GNU tar only:
# the fixtures must never depend on tsdock's own image code, or a tsdock bug could hide itself.
#   busybox    one layer (busybox-static + applet symlinks, /etc/passwd, /etc/group, /tmp); tags latest, 1.36
#   layered    3 layers with whiteouts, an opaque dir, symlinks, a hardlink, setuid, 1000:1000 owner; tag v1
#   multiarch  tag latest = OCI index of linux/amd64 + linux/arm64/v8; per-platform tags amd64, arm64
#   big        only when asked: busybox + 4 layers of 32 MiB random data (>100 MB compressed); tag latest
#
# Idempotent: a stamp (hash of this script, /bin/busybox and the umoci version) marks a completed
# build; when it matches, nothing is rebuilt. Deterministic: layer tars are sorted with fixed
# mtimes/owners and no atime/ctime, image timestamps are pinned, so digests are identical across
# builds (except `big`, whose content is random by design and is therefore built once and cached).
set -euo pipefail

die() { echo "build-fixtures: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: $0 DIR [big]"
[ "$(id -u)" = 0 ] || die "must run as root (layers carry uid 1000 files and setuid bits)"
for tool in umoci tar jq sha256sum flock skopeo; do command -v "$tool" >/dev/null || die "missing $tool"; done
[ -x /bin/busybox ] || die "/bin/busybox missing (install busybox-static)"

DIR=$1; shift
WANT_BIG=0
for arg in "$@"; do
  case $arg in big) WANT_BIG=1 ;; *) die "unknown fixture '$arg' (only 'big' is optional)" ;; esac
done

SELF=$(readlink -f "${BASH_SOURCE[0]}")
# Rebuild when this script, the busybox binary or umoci changes: any of them changes the bytes.
STAMP=$( { sha256sum <"$SELF"; sha256sum </bin/busybox; umoci --version; } | sha256sum | cut -d' ' -f1)

# Image timestamps are pinned so that manifests/configs hash the same on every build.
CREATED=1970-01-01T00:00:00Z
ENV_PATH=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

mkdir -p "$DIR"
DIR=$(readlink -f "$DIR")
# Serialise concurrent builders (parallel test runs share the cache).
exec 9>"$DIR/.lock"
flock 9

base_done() { [ "$(cat "$DIR/.stamp" 2>/dev/null)" = "$STAMP" ]; }
big_done()  { [ "$(cat "$DIR/.stamp-big" 2>/dev/null)" = "$STAMP" ]; }

if base_done && { [ $WANT_BIG = 0 ] || big_done; }; then
  echo "build-fixtures: $DIR is up to date" >&2
  exit 0
fi

WORK=$(mktemp -d "$DIR/.work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
umask 022

# mktar SRC OUT ENTRY... : reproducible uncompressed layer tar of SRC/ENTRY... (umoci compresses it).
# Ownership is forced to 0:0; pax atime/ctime and the PID-based pax header name are dropped
# because they would make the bytes differ on every build.
TAR_FLAGS=(--sort=name --mtime=@0 --numeric-owner --format=posix
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
mktar()      { local src=$1 out=$2; shift 2; tar -C "$src" "${TAR_FLAGS[@]}" --owner=0 --group=0 -cf "$out" "$@"; }
# mktar_keep: same but keeps the staged numeric owners (used where a file must stay 1000:1000).
mktar_keep() { local src=$1 out=$2; shift 2; tar -C "$src" "${TAR_FLAGS[@]}" -cf "$out" "$@"; }

# add_layer LAYOUT:TAG TAR DESCRIPTION
add_layer() {
  umoci raw add-layer --image "$1" --history.created "$CREATED" --history.created_by "$3" "$2"
}

# new_image LAYOUT TAG : empty image whose config is pinned (created, cmd, env, platform).
new_image() {
  local layout=$1 tag=$2 arch=${3:-amd64}
  [ -d "$layout" ] || umoci init --layout "$layout"
  umoci new --image "$layout:$tag"
  umoci config --image "$layout:$tag" --no-history --created "$CREATED" \
    --os linux --architecture "$arch" --config.cmd sh --config.env "$ENV_PATH"
}

# --- busybox rootfs (layer 1 of every image) -------------------------------------------------
stage_busybox() {
  local s=$WORK/stage-busybox
  mkdir -p "$s/bin" "$s/etc" "$s/tmp"
  install -m 0755 /bin/busybox "$s/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$s/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$s/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$s/etc/group"
  chmod 0644 "$s/etc/passwd" "$s/etc/group"
  chmod 1777 "$s/tmp"
  mktar "$s" "$WORK/busybox.tar" bin etc tmp
}

build_busybox() {
  local l=$WORK/out/busybox
  new_image "$l" latest
  add_layer "$l:latest" "$WORK/busybox.tar" "busybox-static rootfs"
  umoci tag --image "$l:latest" 1.36
  umoci gc --layout "$l"   # drop the intermediate configs/manifests of each umoci step
}

# --- layered ---------------------------------------------------------------------------------
build_layered() {
  local l=$WORK/out/layered s2=$WORK/stage-layered2 s3=$WORK/stage-layered3
  new_image "$l" v1
  add_layer "$l:v1" "$WORK/busybox.tar" "busybox-static rootfs"

  # Layer 2: files that layer 3 will delete, hide or rewrite, plus mode/owner edge cases.
  mkdir -p "$s2/etc" "$s2/opt/app/conf" "$s2/opt/app/data" "$s2/opt/app/bin" "$s2/opt/app/empty"
  echo "Welcome to the layered fixture (layer 2)" >"$s2/etc/motd"
  echo "a = 1" >"$s2/opt/app/conf/a.conf"
  echo "b = 2" >"$s2/opt/app/conf/b.conf"
  echo "data v1 (layer 2)" >"$s2/opt/app/data/file.txt"
  printf '#!/bin/sh\necho setuid-tool\n' >"$s2/opt/app/bin/setuid-tool"
  chown -R 0:0 "$s2"
  chmod -R u=rwX,go=rX "$s2"
  chown 1000:1000 "$s2/opt/app/data/file.txt"
  chmod 0640 "$s2/opt/app/data/file.txt"
  chmod 4755 "$s2/opt/app/bin/setuid-tool"
  mktar_keep "$s2" "$WORK/layered2.tar" etc opt
  add_layer "$l:v1" "$WORK/layered2.tar" "layer 2: motd, conf a/b, data/file.txt (1000:1000 0640), setuid, empty dir"

  # Layer 3: whiteouts made by hand (umoci's own whiteout writer emits truncated tars).
  mkdir -p "$s3/etc" "$s3/opt/app/conf" "$s3/opt/app/data"
  : >"$s3/etc/.wh.motd"                      # delete /etc/motd
  : >"$s3/opt/app/conf/.wh..wh..opq"         # hide everything layer 2 put in /opt/app/conf
  echo "c = 3" >"$s3/opt/app/conf/c.conf"
  ln -s data "$s3/opt/app/current"           # relative symlink
  ln -s /etc/passwd "$s3/opt/app/abs"        # absolute symlink (must resolve inside the rootfs)
  echo "data v2 (rewritten in layer 3)" >"$s3/opt/app/data/file.txt"
  ln "$s3/opt/app/data/file.txt" "$s3/opt/app/data/hardlink.txt"   # tar stores a hardlink entry
  chown -R 0:0 "$s3"
  chmod -R u=rwX,go=rX "$s3"
  chown -h 1000:1000 "$s3/opt/app/data/file.txt"
  chmod 0640 "$s3/opt/app/data/file.txt"
  mktar_keep "$s3" "$WORK/layered3.tar" etc opt
  add_layer "$l:v1" "$WORK/layered3.tar" "layer 3: whiteout motd, opaque conf + c.conf, symlinks, hardlink"
  umoci gc --layout "$l"
}

# --- multiarch -------------------------------------------------------------------------------
build_multiarch() {
  local l=$WORK/out/multiarch arch s
  for arch in amd64 arm64; do
    s=$WORK/stage-arch-$arch
    mkdir -p "$s"
    echo "$arch" >"$s/arch"
    mktar "$s" "$WORK/arch-$arch.tar" arch
    new_image "$l" "$arch" "$arch"
    add_layer "$l:$arch" "$WORK/busybox.tar" "busybox-static rootfs"
    add_layer "$l:$arch" "$WORK/arch-$arch.tar" "/arch = $arch"
  done
  umoci gc --layout "$l"   # before the index exists: umoci only needs to know about manifests
  # umoci cannot make an index: write one by hand (compact jq output, so the bytes are stable),
  # store it as a blob and tag it `latest` in index.json next to the per-platform tags.
  local desc_amd64 desc_arm64 index digest size
  desc_amd64=$(jq -c '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="amd64")' "$l/index.json")
  desc_arm64=$(jq -c '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="arm64")' "$l/index.json")
  index=$(jq -nc --argjson a "$desc_amd64" --argjson b "$desc_arm64" '{
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      {mediaType: $a.mediaType, digest: $a.digest, size: $a.size, platform: {architecture: "amd64", os: "linux"}},
      {mediaType: $b.mediaType, digest: $b.digest, size: $b.size, platform: {architecture: "arm64", os: "linux", variant: "v8"}}
    ]}')
  printf '%s' "$index" >"$WORK/index.blob"
  digest=$(sha256sum <"$WORK/index.blob" | cut -d' ' -f1)
  size=$(stat -c %s "$WORK/index.blob")
  mv "$WORK/index.blob" "$l/blobs/sha256/$digest"
  jq -c --arg d "sha256:$digest" --argjson s "$size" '.manifests += [{
      mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
      annotations: {"org.opencontainers.image.ref.name": "latest"}}]' "$l/index.json" >"$WORK/index.json"
  mv "$WORK/index.json" "$l/index.json"
}

# --- big -------------------------------------------------------------------------------------
build_big() {
  local l=$WORK/out/big i s
  new_image "$l" latest
  add_layer "$l:latest" "$WORK/busybox.tar" "busybox-static rootfs"
  for i in 1 2 3 4; do
    # Random data does not compress, so the gzip layers stay ~32 MiB each.
    s=$WORK/stage-big$i
    mkdir -p "$s/data"
    head -c 32M /dev/urandom >"$s/data/random$i.bin"
    mktar "$s" "$WORK/big$i.tar" data
    rm -rf "$s"
    add_layer "$l:latest" "$WORK/big$i.tar" "32 MiB of random data ($i/4)"
    rm -f "$WORK/big$i.tar"
  done
  umoci gc --layout "$l"
}

# verify LAYOUT TAG... : skopeo must be able to read what we built (catches a broken index.json).
verify() {
  local l=$1 t; shift
  for t in "$@"; do skopeo inspect --raw "oci:$l:$t" >/dev/null || die "skopeo cannot read $l:$t"; done
}

# install_fixture NAME : replace DIR/NAME atomically-ish with the freshly built layout.
install_fixture() {
  rm -rf "$DIR/$1.old"
  [ -e "$DIR/$1" ] && mv "$DIR/$1" "$DIR/$1.old"
  mv "$WORK/out/$1" "$DIR/$1"
  rm -rf "$DIR/$1.old"
}

mkdir -p "$WORK/out"
stage_busybox

if ! base_done; then
  echo "build-fixtures: building busybox, layered, multiarch in $DIR" >&2
  rm -f "$DIR/.stamp"
  build_busybox;   verify "$WORK/out/busybox" latest 1.36
  build_layered;   verify "$WORK/out/layered" v1
  build_multiarch; verify "$WORK/out/multiarch" amd64 arm64 latest
  for f in busybox layered multiarch; do install_fixture "$f"; done
  echo "$STAMP" >"$DIR/.stamp"
fi

if [ $WANT_BIG = 1 ] && ! big_done; then
  echo "build-fixtures: building big in $DIR" >&2
  rm -f "$DIR/.stamp-big"
  build_big; verify "$WORK/out/big" latest
  install_fixture big
  echo "$STAMP" >"$DIR/.stamp-big"
fi
echo "build-fixtures: done" >&2
