# Shared by run-local.sh and test.sh: installs and starts the local stand-ins for Azure on loopback ports,
# and stops everything they started. Source it; do not run it.

BILLING_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BILLING_PIDS=()

log() { printf '\033[1;34m[billing]\033[0m %s\n' "$*" >&2; }

# npm ci from the committed lock file, only when node_modules is missing or older than the lock.
ensure_node_tools() {
  local marker="$BILLING_ROOT/node_modules/.package-lock.json"
  if [[ ! -f "$marker" || "$BILLING_ROOT/package-lock.json" -nt "$marker" ]]; then
    log "installing the local emulators (npm ci)"
    (cd "$BILLING_ROOT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
}

# The browser tests drive Debian's Chromium headless shell (not a browser Playwright downloads: this network has no such
# download): the same Chromium without the windowed browser around it, a third of the full browser's CPU in these tests.
ensure_chromium() {
  local chromium=${BILLING_CHROMIUM:-/usr/bin/chromium-headless-shell}
  [[ -x "$chromium" ]] && return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    log "Chromium is missing at $chromium: install Debian's package (sudo apt-get install chromium-headless-shell) for the browser tests"
    return 0
  fi
  log "installing Chromium for the browser tests (apt-get install chromium-headless-shell)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends chromium-headless-shell >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends chromium-headless-shell >/dev/null; }
}

# Whether run-local.sh uses the real Stripe API: a key exported in the shell with Stripe__ApiBase empty or unset. Then
# Stripe__ApiBase is exported empty (api.stripe.com): unset, the app in Development would take the emulator's address
# from appsettings.Development.json or local.settings.json and send the key there, with no emulator started.
use_real_stripe() {
  [[ -n ${Stripe__SecretKey:-} && -z ${Stripe__ApiBase:-} ]] || return 1
  export Stripe__ApiBase=
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

wait_for_port() { # name port seconds logfile
  local name=$1 port=$2 seconds=$3 logfile=$4
  for ((i = 0; i < seconds * 10; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  log "$name did not start on port $port within ${seconds}s; its log ($logfile):"
  tail -n 40 "$logfile" >&2 || true
  return 1
}

port_in_use() { # port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Whether the process holds a socket listening on the TCP port (Linux /proc; elsewhere: whether anything answers there).
# A port that answers is not enough: between free_port and the server's bind another process can take it, and the
# server, still loading, exits on EADDRINUSE only after the port has answered (the other process's answer).
listens_on() { # pid port
  [[ -r /proc/net/tcp ]] || { port_in_use "$2"; return; }
  local sockets
  sockets=$(awk -v port="$(printf ':%04X' "$2")" '$4 == "0A" && substr($2, length($2) - 4) == port { print "socket:[" $10 "]" }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  [[ -n $sockets ]] && grep -qxF "$sockets" <<<"$(readlink /proc/"$1"/fd/* 2>/dev/null)"
}

require_free_port() { # port what variable
  if port_in_use "$1"; then
    log "port $1 ($2) is already in use by another process; stop it or set $3 to a free port"
    exit 1
  fi
}

wait_for_http() { # name url seconds logfile pid: until the URL answers 2xx, the process exits, or time runs out
  local name=$1 url=$2 seconds=$3 logfile=$4 pid=$5
  for ((i = 0; i < seconds * 5; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited during start-up; the end of its log ($logfile):"
      tail -n 30 "$logfile" >&2 || true
      return 1
    fi
    if node -e "require('http').get(process.argv[1],r=>process.exit(r.statusCode<300?0:1)).on('error',()=>process.exit(1))" "$url"; then
      return 0
    fi
    sleep 0.2
  done
  log "$name did not start within ${seconds}s; the end of its log ($logfile):"
  tail -n 30 "$logfile" >&2 || true
  return 1
}

start_background() { # logfile command...
  local logfile=$1
  shift
  "$@" >"$logfile" 2>&1 &
  BILLING_PIDS+=($!)
}

# The emulators' start functions return 0 once the process started last listens on the port, 2 when it could not bind
# it (another process took it: test.sh tries another port), 1 otherwise.
start_azurite() { # port statedir logdir
  mkdir -p "$2"
  start_background "$3/azurite.log" "$BILLING_ROOT/node_modules/.bin/azurite-queue" \
    --queueHost 127.0.0.1 --queuePort "$1" --location "$2" --silent --skipApiVersionCheck --disableTelemetry
  wait_for_listener "Azurite (queues)" "$1" 60 "$3/azurite.log"
}

start_cosmos() { # port logdir: @vercel/cosmosdb-server with stored procedures (scripts/local-cosmos/server.js)
  start_background "$2/cosmosdb-server.log" node "$BILLING_ROOT/scripts/local-cosmos/server.js" --host 127.0.0.1 --port "$1"
  wait_for_listener "Cosmos DB server" "$1" 60 "$2/cosmosdb-server.log"
}

wait_for_listener() { # name port seconds logfile: until the process started last listens on the port
  local name=$1 port=$2 seconds=$3 logfile=$4 pid=${BILLING_PIDS[-1]}
  for ((i = 0; i < seconds * 10; i++)); do
    if listens_on "$pid" "$port"; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited during start-up; its log ($logfile):"
      tail -n 20 "$logfile" >&2 || true
      grep -q EADDRINUSE "$logfile" && return 2
      return 1
    fi
    sleep 0.1
  done
  log "$name did not listen on port $port within ${seconds}s; its log ($logfile):"
  tail -n 40 "$logfile" >&2 || true
  return 1
}

start_on_free_port() { # start_azurite|start_cosmos and its arguments after the port: on a free port, on another when that one was taken meanwhile; sets started_port
  local attempt status
  for attempt in 1 2 3; do
    started_port=$(free_port)
    "$1" "$started_port" "${@:2}" && return 0 || status=$?
    ((status == 2 && attempt < 3)) || return "$status"
    log "port $started_port was taken meanwhile; another"
  done
}

azurite_connection_string() { # port
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:$1/devstoreaccount1;"
}

cosmos_connection_string() { # port
  echo "AccountEndpoint=https://127.0.0.1:$1/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;"
}

# Checkout and the portal send the browser back to the pages: appsettings.Development.json (and the sample
# local.settings.json) name http://localhost:3000. On another pages' port, point them (and the allowed redirect origin)
# at that port, unless the shell sets them; on 3000 the app's own settings keep their say.
export_page_return_urls() { # page port
  [[ $1 == 3000 ]] && return 0
  local origin="http://localhost:$1"
  export Billing__Checkout__SuccessUrl=${Billing__Checkout__SuccessUrl:-"$origin/billing/success?session_id={CHECKOUT_SESSION_ID}"}
  export Billing__Checkout__CancelUrl=${Billing__Checkout__CancelUrl:-"$origin/billing"}
  export Billing__Portal__ReturnUrl=${Billing__Portal__ReturnUrl:-"$origin/billing"}
  export Billing__Redirects__AllowedOrigins__0=${Billing__Redirects__AllowedOrigins__0:-"$origin"}
}

stop_all() { # TERM everything started here, up to 10 s to finish (Azurite waits for its clients' idle connections), then KILL
  local pid deadline=$((SECONDS + 10))
  for pid in "${BILLING_PIDS[@]}"; do
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BILLING_PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      pkill -KILL -P "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  BILLING_PIDS=()
}
