#!/usr/bin/env bash
# Runs the whole backend locally on its embedded defaults: Azurite (queues), the Cosmos DB server, the local
# Stripe emulator (unless Stripe__SecretKey is set without Stripe__ApiBase: then real Stripe) and the function
# app in standalone mode.
# Ctrl+C stops everything it started.   Usage: scripts/run-local.sh [--reset]
#   --reset   forget all local state (queues, timer status) first
set -euo pipefail
source "$(dirname "$0")/lib/local-stack.sh"

APP_PORT=${BILLING_PORT:-7071}
AZURITE_PORT=${AZURITE_QUEUE_PORT:-10001}
COSMOS_PORT=${COSMOS_PORT:-8081}
STRIPE_PORT=${STRIPE_EMULATOR_PORT:-12111}
STATE="$BILLING_ROOT/.local"

[[ ${1:-} == "--reset" ]] && { log "resetting local state in $STATE"; rm -rf "$STATE"; }
mkdir -p "$STATE/logs"
trap 'log "stopping"; stop_all' EXIT
trap 'exit 130' INT TERM

ensure_node_tools
log "building"
dotnet build "$BILLING_ROOT/Billing.sln" -c Debug -nologo -v quiet -clp:ErrorsOnly

start_azurite "$AZURITE_PORT" "$STATE/azurite" "$STATE/logs"
log "Azurite queues on http://127.0.0.1:$AZURITE_PORT (state: $STATE/azurite)"
start_cosmos "$COSMOS_PORT" "$STATE/logs"
log "Cosmos DB server on https://127.0.0.1:$COSMOS_PORT (in memory)"

WEBHOOK_SECRET=whsec_local_emulator_signing_secret
if [[ -n ${Stripe__SecretKey:-} && -z ${Stripe__ApiBase:-} ]]; then
  log "Stripe: using the real API with the configured key (no emulator); point a Stripe webhook at /api/stripe/webhook"
else
  start_background "$STATE/logs/stripe-emulator.log" dotnet "$BILLING_ROOT/src/Tools/Billing.StripeEmulator/bin/Debug/net10.0/Billing.StripeEmulator.dll" \
    --urls "http://127.0.0.1:$STRIPE_PORT" \
    --Emulator:PublicBaseUrl "http://127.0.0.1:$STRIPE_PORT" \
    --Emulator:WebhookEndpoints:0:Url "http://127.0.0.1:$APP_PORT/api/stripe/webhook" \
    --Emulator:WebhookEndpoints:0:Secret "$WEBHOOK_SECRET"
  wait_for_port "Stripe emulator" "$STRIPE_PORT" 60 "$STATE/logs/stripe-emulator.log"
  export Stripe__ApiBase="http://127.0.0.1:$STRIPE_PORT" Stripe__SecretKey=sk_test_local_emulator Stripe__WebhookSecrets__0=$WEBHOOK_SECRET
  log "Stripe emulator on http://127.0.0.1:$STRIPE_PORT (controls: docs/stripe-emulator.md), webhooks to /api/stripe/webhook"
fi

export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export AzureWebJobsStorage=${AzureWebJobsStorage:-$(azurite_connection_string "$AZURITE_PORT")}
export Billing__Cosmos__ConnectionString=${Billing__Cosmos__ConnectionString:-$(cosmos_connection_string "$COSMOS_PORT")}
export Standalone__StateDirectory=${Standalone__StateDirectory:-$STATE/functions}

log "function app on http://127.0.0.1:$APP_PORT (health: http://127.0.0.1:$APP_PORT/api/health); Ctrl+C stops everything"
dotnet "$BILLING_ROOT/src/Billing.FunctionApp/bin/Debug/net10.0/Billing.FunctionApp.dll" --urls "http://127.0.0.1:$APP_PORT" \
  --contentRoot "$BILLING_ROOT/src/Billing.FunctionApp" &
BILLING_PIDS+=($!)
wait "${BILLING_PIDS[-1]}"
