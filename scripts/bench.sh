#!/usr/bin/env bash
# Benchmarks (not part of npm test). Installs nginx, curl and PostgreSQL from Debian if missing,
# and builds versitygw (the S3 server) like the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v curl >/dev/null || need+=(curl)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; fi
if [ ! -d node_modules ]; then npm install --no-audit --no-fund; fi
bash scripts/versitygw.sh
npm run build --silent
node dist/bench/run.js
node dist/bench/clone.js
node dist/bench/xet.js
node dist/bench/commit-resolve.js
node dist/bench/pages.js
node dist/bench/catalogue.js
node dist/bench/scaleout.js
node dist/bench/collaboration.js
