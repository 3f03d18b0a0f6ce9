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

start_background() { # logfile command...
  local logfile=$1
  shift
  "$@" >"$logfile" 2>&1 &
  BILLING_PIDS+=($!)
}

start_azurite() { # port statedir logdir
  mkdir -p "$2"
  start_background "$3/azurite.log" "$BILLING_ROOT/node_modules/.bin/azurite-queue" \
    --queueHost 127.0.0.1 --queuePort "$1" --location "$2" --silent --skipApiVersionCheck
  wait_for_port "Azurite (queues)" "$1" 60 "$3/azurite.log"
}

start_cosmos() { # port logdir
  start_background "$2/cosmosdb-server.log" "$BILLING_ROOT/node_modules/.bin/cosmosdb-server" --host 127.0.0.1 --port "$1"
  wait_for_port "Cosmos DB server" "$1" 60 "$2/cosmosdb-server.log"
}

azurite_connection_string() { # port
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:$1/devstoreaccount1;"
}

cosmos_connection_string() { # port
  echo "AccountEndpoint=https://127.0.0.1:$1/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;"
}

stop_all() {
  local pid
  for pid in "${BILLING_PIDS[@]}"; do
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BILLING_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  BILLING_PIDS=()
}
