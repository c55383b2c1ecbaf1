#!/usr/bin/env bash
# Start-up of the command, timed from this shell (not from inside a large Node.js parent, whose
# fork cost would be added to every sample): whole processes, the commands alternating in each
# round so a busy machine slows them alike, median of RUNS rounds (default 21).
#
#   bash bench/startup.sh [RUNS]      prints one line per command: name, median ms, ratio to `sdk`
#
#   sdk       node -e requiring @aws-sdk/client-iam, client-config-service and client-sts
#   node      node on an empty file (Node.js's own start-up: the floor of any command)
#   rules     mfa-config-rules rules            (no AWS call: loads no AWS SDK)
#   version   mfa-config-rules --version
#   help      mfa-config-rules evaluate --help
#   usage     mfa-config-rules evaluate --bogus  (a usage error: exit 2, one line)
#   evaluate  mfa-config-rules evaluate --region us-east-1 with no credentials anywhere: everything
#             `evaluate` loads and does up to its first AWS call (the SDK, the rules, the credential
#             chain), which then fails at once (exit 2) instead of going to the network
#
# Needs bash >= 5 (EPOCHREALTIME) and a built dist/ (npm run build).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-21}
BIN=bin/mfa-config-rules.js
EMPTY_HOME=$(mktemp -d)
EMPTY_JS="$EMPTY_HOME/empty.js"
: >"$EMPTY_JS"
trap 'rm -rf "$EMPTY_HOME"' EXIT
[[ -f dist/cli/mfa-config-rules.js ]] || { echo "run npm run build first" >&2; exit 2; }

NAMES=(sdk node rules version help usage evaluate)
run() {
  case "$1" in
    sdk) node -e "require('@aws-sdk/client-iam');require('@aws-sdk/client-config-service');require('@aws-sdk/client-sts')" ;;
    node) node "$EMPTY_JS" ;;
    rules) node "$BIN" rules ;;
    version) node "$BIN" --version ;;
    help) node "$BIN" evaluate --help ;;
    usage) node "$BIN" evaluate --bogus ;;
    evaluate)
      env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
        -u AWS_REGION HOME="$EMPTY_HOME" AWS_EC2_METADATA_DISABLED=true \
        node "$BIN" evaluate --region us-east-1 ;;
  esac
}

declare -A SAMPLES
for name in "${NAMES[@]}"; do run "$name" >/dev/null 2>&1 || true; done # warm the file cache
for ((round = 0; round < RUNS; round++)); do
  for name in "${NAMES[@]}"; do
    start=$EPOCHREALTIME
    run "$name" >/dev/null 2>&1 || true
    end=$EPOCHREALTIME
    SAMPLES[$name]+="$(((${end/./} - ${start/./}) / 1000)) "
  done
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
SDK=$(echo "${SAMPLES[sdk]}" | median)
for name in "${NAMES[@]}"; do
  ms=$(echo "${SAMPLES[$name]}" | median)
  awk -v n="$name" -v ms="$ms" -v sdk="$SDK" -v runs="$RUNS" \
    'BEGIN { printf "%-9s %7.1f ms  %5.2f x  (median of %d)\n", n, ms, ms / sdk, runs }'
done
