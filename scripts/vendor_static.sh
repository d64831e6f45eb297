#!/usr/bin/env bash
# Copies the NHS.UK frontend and htmx from node_modules into static/vendor, so every page
# is served from this service and nothing comes from a CDN. Used by `make` and the Dockerfile.
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=static/vendor
rm -rf "$vendor"
mkdir -p "$vendor/nhsuk" "$vendor/htmx"
cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css \
   node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js "$vendor/nhsuk/"
cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets "$vendor/nhsuk/assets"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx/"
touch "$vendor/.built"
