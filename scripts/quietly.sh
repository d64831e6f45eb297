#!/usr/bin/env bash
# quietly.sh "what" command...: runs an install step with its output kept in a log, says in
# one line what it is doing, and prints the log only if the step fails.
set -uo pipefail
what=$1
shift
log=$(mktemp)
echo "make: $what"
if ! "$@" >"$log" 2>&1; then
  cat "$log"
  rm -f "$log"
  echo "make: $what failed (its output is above)"
  exit 1
fi
rm -f "$log"
