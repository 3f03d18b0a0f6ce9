#!/usr/bin/env bash
# Runs every test: installs the local emulators (npm ci) and Chromium for the browser tests, builds, starts one Azurite and one Cosmos DB server on
# free loopback ports for all test assemblies, runs `dotnet test`, stops them, and prints a closing summary.
set -euo pipefail
source "$(dirname "$0")/lib/local-stack.sh"

CONFIGURATION=${CONFIGURATION:-Release}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/billing-tests.XXXXXX")
trap 'stop_all; rm -rf "$WORK"' EXIT

ensure_node_tools
ensure_chromium
log "building ($CONFIGURATION)"
dotnet build "$BILLING_ROOT/Billing.sln" -c "$CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly

# The tests start ~100 short-lived .NET processes (local host, worker, Stripe emulator, CLI): none of them lives long
# enough to repay tier-1 recompilation: keeping their methods at tier 0 cut the CPU of the webhook end-to-end tests from
# 174 to 95 CPU-seconds on 2 cores (README). The build above keeps the runtime's default.
export DOTNET_TC_CallCounting=0

start_on_free_port start_azurite "$WORK/azurite" "$WORK"
azurite_port=$started_port
start_on_free_port start_cosmos "$WORK"
cosmos_port=$started_port
export BILLING_TEST_STORAGE_CONNECTION=$(azurite_connection_string "$azurite_port")
export BILLING_TEST_COSMOS_CONNECTION=$(cosmos_connection_string "$cosmos_port")
log "emulators up: Azurite :$azurite_port, Cosmos :$cosmos_port"

status=0
# dotnet test runs the solution's test projects two at a time (one per core) in the order Billing.sln lists them, so
# Billing.sln lists Billing.EndToEnd.Tests, as long as all the others together, first: the others run beside it instead of
# it running alone at the end (SolutionOrderTests).
dotnet test "$BILLING_ROOT/Billing.sln" -c "$CONFIGURATION" --no-build -nologo "$@" 2>&1 | tee "$WORK/test.log" || status=$?

# One closing line over all test assemblies, e.g. "Tests: 120 passed, 0 failed, 2 skipped".
awk '/(Passed|Failed)!  *-/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$WORK/test.log"
exit "$status"
