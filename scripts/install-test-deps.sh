#!/usr/bin/env bash
# Installs what the tests need beyond Go: headless Chromium for the browser
# tests (Debian packages) and the npm packages (htmx to check static/vendor,
# the official Efí Node SDK for the sandbox conformance test).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium (Debian packages)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  else
    echo "chromium is missing and cannot be installed here (need root and apt-get); browser tests will skip outside CI" >&2
  fi
fi

if command -v npm >/dev/null 2>&1; then
  npm ci --no-audit --no-fund --silent
  if [ -f tests/sdk/package.json ]; then
    (cd tests/sdk && npm ci --no-audit --no-fund --silent)
  fi
else
  echo "npm is missing: the asset check and the SDK conformance test need Node.js and npm" >&2
  [ -z "${CI:-}" ] || exit 1
fi
