#!/usr/bin/env bash
# The whole test suite. Installs what the tests need (Python venv with the pinned clients),
# builds, then runs every test with node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then npm install --no-audit --no-fund; fi

req=test/e2e/requirements.txt
stamp=.venv/.requirements
if [ ! -x .venv/bin/python ] || ! cmp -s "$req" "$stamp"; then
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
fi

npm run build --silent
node --test --test-concurrency=1 dist/test/
