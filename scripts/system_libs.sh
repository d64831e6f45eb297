#!/usr/bin/env bash
# The system libraries WeasyPrint needs to print PDFs (Pango, with fonts), installed from
# Debian when missing. Used by `make install`, so `make run` and `make test` both have them.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Read the lists whole: `grep -q` on a pipe would stop its writer early and, under
# pipefail, report a library as missing when it is there.
libraries=$(ldconfig -p 2>/dev/null || true)
fonts=$(fc-list 2>/dev/null || true)
missing=()
grep -q 'libpango-1.0.so.0' <<<"$libraries" || missing+=(libpango-1.0-0)
grep -q 'libpangoft2-1.0.so.0' <<<"$libraries" || missing+=(libpangoft2-1.0-0)
grep -q 'libharfbuzz-subset.so.0' <<<"$libraries" || missing+=(libharfbuzz-subset0)
grep -qi 'dejavu\|liberation' <<<"$fonts" || missing+=(fonts-dejavu-core fontconfig)
if [ ${#missing[@]} -gt 0 ]; then
  echo "system libraries: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
