#!/usr/bin/env bash
# Installs the pinned front-end packages from npm (package-lock.json) and
# copies the files the portal serves into static/vendor/.
#   scripts/vendor-assets.sh          refresh static/vendor
#   scripts/vendor-assets.sh --check  fail if static/vendor differs from the pinned packages
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --silent
src=node_modules/htmx.org/dist/htmx.min.js
if [ "${1:-}" = "--check" ]; then
  cmp -s "$src" static/vendor/htmx.min.js || { echo "static/vendor/htmx.min.js differs from htmx.org@$(node -p 'require("htmx.org/package.json").version'): run scripts/vendor-assets.sh" >&2; exit 1; }
  echo "static/vendor matches the pinned npm packages"
  exit 0
fi
mkdir -p static/vendor
cp "$src" static/vendor/htmx.min.js
echo "vendored htmx.org@$(node -p 'require("htmx.org/package.json").version')"
