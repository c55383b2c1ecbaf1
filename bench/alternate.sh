#!/usr/bin/env bash
# Whole processes timed from this shell, alternating: not from inside a large Node.js parent, whose
# fork cost would be added to every sample. Each round runs every command once, in the order given,
# so a busy machine slows them alike; one warm-up round first (file cache), not reported.
#
#   bash bench/alternate.sh ROUNDS NAME COMMAND [NAME COMMAND]...
#
# COMMAND is a bash command line, run with eval in this shell (no extra process; its output is
# discarded). Prints one JSON line per run:
#   {"name": "…", "round": 1, "ms": 123.456, "exit": 0, "calls": {…}}
# "calls" only with CALLS_URL set: fetched after each run (moto's /moto-ext/calls returns the AWS
# calls it served since the last fetch, so each run's own calls). Needs bash >= 5 (EPOCHREALTIME).
set -euo pipefail
rounds=$1
shift
(($# >= 2 && $# % 2 == 0)) || { echo "usage: $0 ROUNDS NAME COMMAND [NAME COMMAND]..." >&2; exit 2; }
names=()
commands=()
while (($#)); do
  names+=("$1")
  commands+=("$2")
  shift 2
done
calls() { [[ -n "${CALLS_URL:-}" ]] && curl -sf "$CALLS_URL" | tr -d '\n' || echo 'null'; }
[[ -n "${CALLS_URL:-}" ]] && calls >/dev/null
for ((round = 0; round <= rounds; round++)); do
  for i in "${!names[@]}"; do
    start=$EPOCHREALTIME
    set +e
    eval "${commands[$i]}" >/dev/null 2>&1
    status=$?
    set -e
    end=$EPOCHREALTIME
    used=$(calls)
    ((round == 0)) && continue
    micros=$((${end/./} - ${start/./}))
    printf '{"name": "%s", "round": %d, "ms": %d.%03d, "exit": %d, "calls": %s}\n' \
      "${names[$i]}" "$round" $((micros / 1000)) $((micros % 1000)) "$status" "$used"
  done
done
