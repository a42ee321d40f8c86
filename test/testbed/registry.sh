#!/usr/bin/env bash
# registry.sh start STATEDIR [open|basic|token] [--attach]
# registry.sh stop  STATEDIR
#
# Runs Debian's `docker-registry serve` (distribution 2.8) on 127.0.0.1 for tsdock's test bed,
# with its config, storage, logs and PIDs all under STATEDIR so several can run side by side.
#   open   no auth
#   basic  htpasswd (bcrypt), user tester / testpass
#   token  Docker token auth against token-server.mjs (tokenuser / tokenpass), RS256 + x5c
# `start` waits until /v2/ answers, then prints one JSON line (also saved as STATEDIR/info.json):
#   {"mode","addr","pid","storage","config","log","username","password",
#    "tokenServer","tokenPid","service","issuer"}
# `stop` kills exactly the PIDs `start` recorded (after checking they still are our processes)
# and waits until they are gone.
#
# --attach (for programs such as the vitest setup): after printing the JSON, stay in the
# foreground as the parent of the servers until stdin reaches EOF (or a line `stop` arrives, or
# the servers were stopped), then stop them, reap them and exit. The caller keeps stdin open
# while it needs the registry; if the caller dies, stdin closes and nothing is left behind.
# Staying the parent also matters here: this machine's PID 1 does not reap orphans, so detached
# servers that are stopped linger as <defunct> entries; attached ones are reaped by us.
set -euo pipefail

die() { echo "registry.sh: $*" >&2; exit 1; }
HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")

BASIC_USER=tester   BASIC_PASS=testpass
TOKEN_USER=tokenuser TOKEN_PASS=tokenpass
SERVICE=tsdock-testbed-registry
ISSUER=tsdock-testbed-token-issuer

# is_ours PID PATTERN : PID is alive (not a zombie) and its command line matches PATTERN.
# Guards against killing an unrelated process that reused a recorded PID.
is_ours() {
  local pid=$1 pattern=$2 state
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$pattern"
}

# stop_pid PIDFILE PATTERN : TERM, wait up to 10 s, then KILL.
stop_pid() {
  local file=$1 pattern=$2 pid i
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if is_ours "$pid" "$pattern"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 100); do is_ours "$pid" "$pattern" || break; sleep 0.1; done
    if is_ours "$pid" "$pattern"; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.1; fi
  fi
  rm -f "$file"
}

free_port() {
  # Ask the kernel for an ephemeral port; the tiny race until the registry binds is handled by
  # retrying start with a new port.
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true; }

cmd_stop() {
  local state=$1
  [ -d "$state" ] || return 0
  stop_pid "$state/registry.pid" docker-registry
  stop_pid "$state/token.pid" token-server.mjs
}

# Sets TOKEN_PORT. Not run in $(...): the server must be a child of this shell (see --attach).
start_token_server() {
  local state=$1 i port
  # Self-signed signing certificate: it is both the x5c leaf and the registry's trusted root.
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -subj "/CN=$ISSUER" -keyout "$state/token.key" -out "$state/token.crt" 2>/dev/null
  : >"$state/token.port"
  node "$HERE/token-server.mjs" --port 0 --key "$state/token.key" --cert "$state/token.crt" \
    --issuer "$ISSUER" --service "$SERVICE" --user "$TOKEN_USER:$TOKEN_PASS" \
    </dev/null >"$state/token.port" 2>"$state/token.log" &
  echo $! >"$state/token.pid"
  for i in $(seq 100); do
    port=$(head -n1 "$state/token.port")
    [ -z "$port" ] || { TOKEN_PORT=$port; return 0; }
    kill -0 "$(cat "$state/token.pid")" 2>/dev/null || break
    sleep 0.1
  done
  cat "$state/token.log" >&2
  die "token server did not start"
}

write_config() {
  local state=$1 mode=$2 port=$3 token_port=${4:-}
  {
    cat <<EOF
version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $state/storage
  delete:
    enabled: true
  maintenance:
    # no background purge: tests inspect and corrupt upload/blob dirs themselves
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: $(cat "$state/http.secret")
EOF
    case $mode in
      basic) cat <<EOF
auth:
  htpasswd:
    realm: tsdock-testbed
    path: $state/htpasswd
EOF
      ;;
      token) cat <<EOF
auth:
  token:
    realm: http://127.0.0.1:$token_port/token
    service: $SERVICE
    issuer: $ISSUER
    rootcertbundle: $state/token.crt
EOF
      ;;
    esac
  } >"$state/config.yml"
}

cmd_start() {
  local state=$1 mode=$2 attach=$3 port pid attempt i code ok=0
  case $mode in open|basic|token) ;; *) die "mode must be open, basic or token" ;; esac
  mkdir -p "$state/storage"
  state=$(readlink -f "$state")
  if is_ours "$(cat "$state/registry.pid" 2>/dev/null || true)" docker-registry; then
    die "a registry is already running for $state"
  fi
  [ -f "$state/http.secret" ] || head -c 24 /dev/urandom | base64 >"$state/http.secret"

  # Whatever goes wrong from here on (a server fails to start, the caller dies and our stdout
  # breaks, a signal), stop what we started. Only a detached start that succeeded disarms this.
  STATE=$state KEEP_RUNNING=0
  trap '[ "$KEEP_RUNNING" = 1 ] || { cmd_stop "$STATE"; wait; }' EXIT
  trap 'exit 143' TERM INT HUP

  [ "$mode" != basic ] || htpasswd -Bbn "$BASIC_USER" "$BASIC_PASS" >"$state/htpasswd"
  TOKEN_PORT=""
  [ "$mode" != token ] || start_token_server "$state"

  for attempt in 1 2 3 4 5; do
    port=${TSDOCK_REGISTRY_PORT:-$(free_port)}   # a fixed port for the demo, else a free one
    write_config "$state" "$mode" "$port" "$TOKEN_PORT"
    docker-registry serve "$state/config.yml" </dev/null >>"$state/registry.log" 2>&1 &
    pid=$!
    echo "$pid" >"$state/registry.pid"
    for i in $(seq 100); do
      code=$(http_code "http://127.0.0.1:$port/v2/")
      # 200 when open, 401 with a challenge when auth is on: either way it is serving.
      if [ "$code" = 200 ] || [ "$code" = 401 ]; then ok=1; break; fi
      kill -0 "$pid" 2>/dev/null || break   # died, most likely the port got taken: retry
      sleep 0.1
    done
    [ $ok = 1 ] && break
    stop_pid "$state/registry.pid" docker-registry
    wait "$pid" 2>/dev/null || true   # reap it: it is our child
  done
  if [ $ok != 1 ]; then
    tail -n 20 "$state/registry.log" >&2 || true
    die "registry did not come up"
  fi

  local user=null pass=null token_url=null token_pid=null
  case $mode in
    basic) user=$BASIC_USER pass=$BASIC_PASS ;;
    token) user=$TOKEN_USER pass=$TOKEN_PASS token_url="http://127.0.0.1:$TOKEN_PORT/token"
           token_pid=$(cat "$state/token.pid") ;;
  esac
  jq -nc --arg mode "$mode" --arg addr "127.0.0.1:$port" --argjson pid "$pid" \
    --arg storage "$state/storage" --arg config "$state/config.yml" --arg log "$state/registry.log" \
    --arg user "$user" --arg pass "$pass" --arg tokenServer "$token_url" --arg tokenPid "$token_pid" \
    --arg service "$SERVICE" --arg issuer "$ISSUER" '
    def orNull: if . == "null" then null else . end;
    {mode: $mode, addr: $addr, pid: $pid, storage: $storage, config: $config, log: $log,
     username: ($user | orNull), password: ($pass | orNull),
     tokenServer: ($tokenServer | orNull), tokenPid: ($tokenPid | orNull | if . == null then null else tonumber end),
     service: (if $mode == "token" then $service else null end),
     issuer: (if $mode == "token" then $issuer else null end)}' | tee "$state/info.json"

  if [ "$attach" = 1 ]; then attach_loop "$state"; else KEEP_RUNNING=1; fi
}

# Foreground supervision for --attach. `read -t` is a builtin, so no `sleep` child can be
# orphaned when we leave; status > 128 means timeout, anything else non-zero means EOF.
attach_loop() {
  local state=$1 line rc
  while :; do
    if read -r -t 1 line; then
      [ "$line" = stop ] && break
      continue
    else
      rc=$?
      [ $rc -gt 128 ] || break                                   # EOF: the caller is gone or done
    fi
    is_ours "$(cat "$state/registry.pid" 2>/dev/null || true)" docker-registry || break   # stopped
  done
  # The EXIT trap now stops the servers and `wait`s for them: they are our children, so we
  # reap them and no <defunct> entries remain.
}

case ${1:-} in
  start)
    [ $# -ge 2 ] || die "usage: $0 start STATEDIR [open|basic|token] [--attach]"
    state=$2; shift 2; mode=open; attach=0
    for a in "$@"; do
      case $a in --attach) attach=1 ;; *) mode=$a ;; esac
    done
    cmd_start "$state" "$mode" "$attach" ;;
  stop)  [ $# -ge 2 ] || die "usage: $0 stop STATEDIR"; cmd_stop "$2" ;;
  *) die "usage: $0 start STATEDIR [open|basic|token] [--attach] | stop STATEDIR" ;;
esac
