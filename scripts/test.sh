#!/usr/bin/env bash
# The one test command (README, .ci/run): installs the test dependencies,
# then checks formatting, vet, generated templ code and vendored assets, and
# runs every test with the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' | grep -v '_templ.go$') 2>/dev/null || true)
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi

echo "== go vet"
go vet ./...

echo "== templ generate leaves no diff"
go tool templ generate >/dev/null
if ! git diff --exit-code --stat -- '*_templ.go'; then
  echo "generated templ code is stale: run 'go tool templ generate' and commit"; exit 1
fi
if [ -n "$(git ls-files --others --exclude-standard -- '*_templ.go')" ]; then
  echo "templ generated files that are not committed:"; git ls-files --others --exclude-standard -- '*_templ.go'; exit 1
fi

echo "== vendored assets match package-lock.json"
scripts/vendor-assets.sh --check

echo "== go test -race"
go test -race -count=1 -timeout 20m ./...
