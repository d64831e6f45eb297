#!/usr/bin/env bash
# Builds and copies the NHS.UK frontend and htmx from node_modules into static/vendor, so every page
# is served from this service and nothing comes from a CDN. Used by `make` and the Dockerfile.
set -euo pipefail
cd "$(dirname "$0")/.."
vendor=static/vendor
rm -rf "$vendor"
mkdir -p "$vendor/nhsuk" "$vendor/htmx"
# Our own build of the stylesheet (frontend/scss/nhsuk.scss): local font stack and assets.
node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules \
  frontend/scss/nhsuk.scss "$vendor/nhsuk/nhsuk.min.css"
cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js "$vendor/nhsuk/"
cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets "$vendor/nhsuk/assets"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx/"
touch "$vendor/.built"
