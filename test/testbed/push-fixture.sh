#!/usr/bin/env bash
# push-fixture.sh LAYOUTDIR NAME TAG REGISTRY_ADDR REPO:TAG [oci|v2s2] [CREDS user:pass]
#
# Pushes fixture LAYOUTDIR/NAME:TAG (built by build-fixtures.sh) to http://REGISTRY_ADDR as
# REPO:TAG with skopeo, never with tsdock. `oci` keeps the OCI media types, `v2s2` converts to
# Docker schema 2. When TAG is an image index (multiarch), each platform manifest is pushed with
# skopeo and the index is PUT by hand with curl: an OCI index for `oci`, a Docker manifest list
# for `v2s2` (its digests are those of the converted platform manifests, read back from the
# registry). The registry's auth scheme (none / Basic / Bearer token) is discovered from /v2/.
#
# Prints one JSON line describing what the registry now serves:
#   {"registry","repo","tag","digest","mediaType","size","format","fixture",
#    "manifests":[{"digest","mediaType","size","platform"}]}   (manifests: only for an index)
set -euo pipefail

die() { echo "push-fixture: $*" >&2; exit 1; }
[ $# -ge 5 ] || die "usage: $0 LAYOUTDIR NAME TAG REGISTRY_ADDR REPO:TAG [oci|v2s2] [user:pass]"
LAYOUT=$1/$2 NAME=$2 SRC_TAG=$3 ADDR=$4 DEST=$5 FORMAT=${6:-oci} CREDS=${7:-}
REPO=${DEST%:*} DEST_TAG=${DEST##*:}
[ "$REPO" != "$DEST" ] && [ -n "$DEST_TAG" ] || die "destination must be REPO:TAG, got '$DEST'"
[ -f "$LAYOUT/index.json" ] || die "$LAYOUT is not an OCI layout (run build-fixtures.sh first)"
case $FORMAT in oci|v2s2) ;; *) die "format must be oci or v2s2" ;; esac

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_INDEX=application/vnd.oci.image.index.v1+json
D_MANIFEST=application/vnd.docker.distribution.manifest.v2+json
D_LIST=application/vnd.docker.distribution.manifest.list.v2+json
ACCEPT_ALL="$OCI_MANIFEST, $OCI_INDEX, $D_MANIFEST, $D_LIST"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# skopeo as root would create /var/lib/containers/cache (its blob-info cache). Marking the run
# "rootless" makes it put that cache under XDG_DATA_HOME instead, i.e. in our throw-away dir,
# which also keeps stale knowledge of past registries from leaking between runs.
skopeo_copy() {
  local args=(--insecure-policy copy -q --dest-tls-verify=false)
  [ "$FORMAT" = v2s2 ] && args+=(--format v2s2)
  [ -n "$CREDS" ] && args+=(--dest-creds "$CREDS")
  mkdir -p -m 0700 "$TMP/run"
  env _CONTAINERS_ROOTLESS_UID=65534 HOME="$TMP" XDG_DATA_HOME="$TMP/data" \
    XDG_CONFIG_HOME="$TMP/config" XDG_RUNTIME_DIR="$TMP/run" \
    skopeo "${args[@]}" "$@"
}

# --- auth for our own curl calls: discover the scheme from the /v2/ challenge ---------------
CHALLENGE=$(curl -s -o /dev/null -D - "http://$ADDR/v2/" | tr -d '\r' | grep -i '^www-authenticate:' | cut -d' ' -f2- || true)
CURL_AUTH=()
case $CHALLENGE in
  "") ;;
  Basic*)
    [ -n "$CREDS" ] || die "registry wants Basic auth: pass user:pass"
    CURL_AUTH=(-u "$CREDS") ;;
  Bearer*)
    realm=$(sed -n 's/.*realm="\([^"]*\)".*/\1/p' <<<"$CHALLENGE")
    service=$(sed -n 's/.*service="\([^"]*\)".*/\1/p' <<<"$CHALLENGE")
    token_auth=(); [ -n "$CREDS" ] && token_auth=(-u "$CREDS")
    token=$(curl -sf "${token_auth[@]}" -G "$realm" --data-urlencode "service=$service" \
      --data-urlencode "scope=repository:$REPO:pull,push" | jq -r '.token // .access_token') \
      || die "token server $realm refused us"
    CURL_AUTH=(-H "Authorization: Bearer $token") ;;
  *) die "unsupported challenge: $CHALLENGE" ;;
esac

# registry_manifest REF OUTFILE : GET a manifest; prints its Content-Type.
registry_manifest() {
  curl -sf "${CURL_AUTH[@]}" -H "Accept: $ACCEPT_ALL" -o "$2" -w '%{content_type}' \
    "http://$ADDR/v2/$REPO/manifests/$1" || die "GET manifest $REPO@$1 failed"
}

# describe_pushed REF : JSON {digest, mediaType, size} of what the registry serves for REF.
describe_pushed() {
  local ct digest size
  ct=$(registry_manifest "$1" "$TMP/m.json")
  digest=sha256:$(sha256sum <"$TMP/m.json" | cut -d' ' -f1)
  size=$(stat -c %s "$TMP/m.json")
  jq -nc --arg d "$digest" --arg t "${ct%%;*}" --argjson s "$size" '{digest: $d, mediaType: $t, size: $s}'
}

# The layout's descriptor for SRC_TAG tells whether it is a single image or an index.
desc=$(jq -c --arg t "$SRC_TAG" '[.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t)][0]' "$LAYOUT/index.json")
[ "$desc" != null ] || die "tag $SRC_TAG not found in $LAYOUT"
media=$(jq -r .mediaType <<<"$desc")

children='[]'
if [ "$media" = "$OCI_INDEX" ]; then
  index_blob=$LAYOUT/blobs/sha256/$(jq -r '.digest | sub("^sha256:"; "")' <<<"$desc")
  n=$(jq '.manifests | length' "$index_blob")
  for i in $(seq 0 $((n - 1))); do
    child=$(jq -c ".manifests[$i]" "$index_blob")
    child_digest=$(jq -r .digest <<<"$child")
    # skopeo 1.9 cannot address oci:DIR@digest: find the layout tag naming this platform image.
    child_tag=$(jq -r --arg d "$child_digest" '[.manifests[] | select(.digest == $d)
      | .annotations["org.opencontainers.image.ref.name"] // empty][0] // empty' "$LAYOUT/index.json")
    [ -n "$child_tag" ] || die "no tag in $LAYOUT for index entry $child_digest"
    # Push under the final tag; the index PUT below moves the tag, the platform manifests stay
    # reachable by digest (so the repo gets no extra tags).
    skopeo_copy "oci:$LAYOUT:$child_tag" "docker://$ADDR/$REPO:$DEST_TAG" --digestfile "$TMP/digest"
    pushed=$(describe_pushed "$(cat "$TMP/digest")")
    children=$(jq -c --argjson c "$child" --argjson p "$pushed" '. + [{mediaType: $p.mediaType, digest: $p.digest, size: $p.size, platform: $c.platform}]' <<<"$children")
  done
  if [ "$FORMAT" = oci ]; then list_type=$OCI_INDEX; else list_type=$D_LIST; fi
  # Same shape and key order as build-fixtures.sh writes, so an `oci` push reproduces the
  # layout's index byte for byte (same digest).
  jq -c --arg t "$list_type" --argjson m "$children" \
    '{schemaVersion: 2, mediaType: $t, manifests: $m}' <<<'{}' | tr -d '\n' >"$TMP/index.json"
  code=$(curl -s "${CURL_AUTH[@]}" -o "$TMP/put.out" -w '%{http_code}' -X PUT \
    -H "Content-Type: $list_type" --data-binary "@$TMP/index.json" \
    "http://$ADDR/v2/$REPO/manifests/$DEST_TAG")
  [ "$code" = 201 ] || die "PUT index returned $code: $(cat "$TMP/put.out")"
else
  skopeo_copy "oci:$LAYOUT:$SRC_TAG" "docker://$ADDR/$REPO:$DEST_TAG"
fi

top=$(describe_pushed "$DEST_TAG")
jq -nc --arg registry "$ADDR" --arg repo "$REPO" --arg tag "$DEST_TAG" --arg format "$FORMAT" \
  --arg fixture "$NAME" --argjson top "$top" --argjson children "$children" '
  {registry: $registry, repo: $repo, tag: $tag} + $top +
  {format: $format, fixture: $fixture} + (if ($children | length) > 0 then {manifests: $children} else {} end)'
