#!/usr/bin/env bash
# The recovery runbook as one script: show the state, recover orphans, reset stuck bots, verify
# health. Pass the CLI's options (--url, --token, --data-dir); add --reset-stuck to reset every
# bot that holds jobs but has not heartbeated for longer than the lease.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cli() { "$root/shepherd" "$@"; }

opts=()
reset_stuck=false
for arg in "$@"; do
  if [ "$arg" = "--reset-stuck" ]; then reset_stuck=true; else opts+=("$arg"); fi
done

echo "== 1. state"
cli health "${opts[@]}" || true
echo "== 2. recover orphans (one sweep now)"
cli recover "${opts[@]}"
echo "== 3. stuck bots (lost, yet holding jobs)"
stuck=$(cli bots --status lost -o json "${opts[@]}" | python3 -c 'import json,sys; print(" ".join(b["id"] for b in json.load(sys.stdin)["bots"] if b["jobs"]))')
if [ -z "$stuck" ]; then
  echo "none"
elif $reset_stuck; then
  for bot in $stuck; do echo "reset $bot"; cli reset-bot "$bot" "${opts[@]}"; done
else
  echo "stuck: $stuck (run again with --reset-stuck to release their jobs)"
fi
echo "== 4. verify health"
cli health "${opts[@]}"
