#!/usr/bin/env bash
# Runs the whole backend locally on its embedded defaults: Azurite (queues), the Cosmos DB server, the local Stripe
# emulator (unless Stripe__SecretKey is set without Stripe__ApiBase: then real Stripe) and the function app (the
# isolated worker) under the local Functions host, and the reference billing and operator pages (src/Billing.Web) on
# http://localhost:3000. Every process logs to .local/logs/.
# Ctrl+C stops everything it started.   Usage: scripts/run-local.sh [--reset]
#   --reset   forget all local state (queues, timer status) first
set -euo pipefail
source "$(dirname "$0")/lib/local-stack.sh"

APP_PORT=${BILLING_PORT:-7071}
AZURITE_PORT=${AZURITE_QUEUE_PORT:-10001}
COSMOS_PORT=${COSMOS_PORT:-8081}
STRIPE_PORT=${STRIPE_EMULATOR_PORT:-12111}
PAGE_PORT=${BILLING_PAGE_PORT:-3000}
STATE="$BILLING_ROOT/.local"
LOGS="$STATE/logs"
USE_EMULATOR=1
use_real_stripe && USE_EMULATOR=0

[[ ${1:-} == "--reset" ]] && { log "resetting local state in $STATE"; rm -rf "$STATE"; }
mkdir -p "$LOGS"
trap 'log "stopping"; stop_all' EXIT
trap 'exit 130' INT TERM

# Refuse early, naming the port, rather than half-start a stack that cannot work.
require_free_port "$APP_PORT" "the function app" BILLING_PORT
require_free_port "$AZURITE_PORT" "Azurite (queues)" AZURITE_QUEUE_PORT
require_free_port "$COSMOS_PORT" "the Cosmos DB server" COSMOS_PORT
((USE_EMULATOR)) && require_free_port "$STRIPE_PORT" "the Stripe emulator" STRIPE_EMULATOR_PORT
require_free_port "$PAGE_PORT" "the billing pages" BILLING_PAGE_PORT

ensure_node_tools
log "building (Debug)"
dotnet build "$BILLING_ROOT/Billing.sln" -c Debug -nologo -v quiet -clp:ErrorsOnly -clp:NoSummary

start_azurite "$AZURITE_PORT" "$STATE/azurite" "$LOGS"
log "Azurite queues on http://127.0.0.1:$AZURITE_PORT (state: $STATE/azurite; log: $LOGS/azurite.log)"
start_cosmos "$COSMOS_PORT" "$LOGS"
log "Cosmos DB server on https://127.0.0.1:$COSMOS_PORT (in memory; log: $LOGS/cosmosdb-server.log)"

WEBHOOK_SECRET=whsec_local_emulator_signing_secret
if ((USE_EMULATOR)); then
  start_background "$LOGS/stripe-emulator.log" dotnet "$BILLING_ROOT/src/Tools/Billing.StripeEmulator/bin/Debug/net10.0/Billing.StripeEmulator.dll" \
    --urls "http://127.0.0.1:$STRIPE_PORT" \
    --Emulator:PublicBaseUrl "http://127.0.0.1:$STRIPE_PORT" \
    --Emulator:WebhookEndpoints:0:Url "http://127.0.0.1:$APP_PORT/api/stripe/webhook" \
    --Emulator:WebhookEndpoints:0:Secret "$WEBHOOK_SECRET"
  wait_for_port "Stripe emulator" "$STRIPE_PORT" 60 "$LOGS/stripe-emulator.log"
  export Stripe__ApiBase="http://127.0.0.1:$STRIPE_PORT" Stripe__SecretKey=sk_test_local_emulator Stripe__WebhookSecrets__0=$WEBHOOK_SECRET
  log "Stripe emulator on http://127.0.0.1:$STRIPE_PORT (controls: docs/stripe-emulator.md; log: $LOGS/stripe-emulator.log)"
else
  log "Stripe: the real API with the configured key (no emulator); point a Stripe webhook at /api/stripe/webhook"
fi

export AZURE_FUNCTIONS_ENVIRONMENT=${AZURE_FUNCTIONS_ENVIRONMENT:-Development}
# Trigger settings the host resolves (%NAME%); defaults as in local.settings.sample.json.
export STRIPE_EVENTS_QUEUE=${STRIPE_EVENTS_QUEUE:-stripe-events}
export INVOICE_JOBS_QUEUE=${INVOICE_JOBS_QUEUE:-invoice-jobs}
export MONTHLY_INVOICING_SCHEDULE=${MONTHLY_INVOICING_SCHEDULE:-"0 0 2 * * *"}
export MISSED_EVENT_SWEEP_SCHEDULE=${MISSED_EVENT_SWEEP_SCHEDULE:-"0 15 * * * *"}
export AzureWebJobsStorage=${AzureWebJobsStorage:-$(azurite_connection_string "$AZURITE_PORT")}
export Billing__Cosmos__ConnectionString=${Billing__Cosmos__ConnectionString:-$(cosmos_connection_string "$COSMOS_PORT")}
export_page_return_urls "$PAGE_PORT"

start_background "$LOGS/functions.log" dotnet "$BILLING_ROOT/src/Tools/Billing.FunctionsHost/bin/Debug/net10.0/Billing.FunctionsHost.dll" \
  --script-root "$BILLING_ROOT/src/Billing.FunctionApp/bin/Debug/net10.0" \
  --port "$APP_PORT" --state-dir "$STATE/functions" --cors "${BILLING_CORS_ORIGINS:-http://localhost:$PAGE_PORT}"
HOST_PID=${BILLING_PIDS[-1]}
if ! wait_for_http "function app" "http://127.0.0.1:$APP_PORT/admin/host/status" 120 "$LOGS/functions.log" "$HOST_PID"; then
  exit 1
fi
sed -n '/^Functions:/,/^Host started/p' "$LOGS/functions.log" | grep -v '^Host started' >&2
log "function app on http://127.0.0.1:$APP_PORT (health: http://127.0.0.1:$APP_PORT/api/health; log: $LOGS/functions.log)"

# The pages' own host (never deployed): static files, where the API is, development sign-in. Checkout and the portal
# return to it (export_page_return_urls above).
start_background "$LOGS/pages.log" dotnet "$BILLING_ROOT/src/Tools/Billing.PageHost/bin/Debug/net10.0/Billing.PageHost.dll" \
  --urls "http://localhost:$PAGE_PORT" \
  --PageHost:WebRoot "$BILLING_ROOT/src/Billing.Web" \
  --PageHost:ApiBaseUrl "http://127.0.0.1:$APP_PORT"
wait_for_port "billing pages" "$PAGE_PORT" 60 "$LOGS/pages.log"
log "billing page:  http://localhost:$PAGE_PORT/billing/   (sign in as any account id)"
log "operator page: http://localhost:$PAGE_PORT/operator/  (admin role; log: $LOGS/pages.log)"
log "Ctrl+C stops everything"
wait "$HOST_PID"
