#!/usr/bin/env bash
# The whole test suite. Installs what the tests need (git-lfs, the Python venv with the pinned clients),
# builds, then runs every test with node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."

# git, git-lfs and the OpenSSH client from Debian for the git end-to-end tests (HTTP and SSH);
# Chromium from Debian for the browser tests (playwright-core drives it; it downloads no browser);
# nginx and curl for the test of deploy/nginx-embedded.conf.
if ! command -v git >/dev/null || ! git lfs version >/dev/null 2>&1 || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null || ! command -v chromium >/dev/null || ! command -v nginx >/dev/null || ! command -v curl >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git git-lfs openssh-client chromium nginx-light curl
  else
    echo "git, git-lfs, ssh, chromium, nginx and curl are required (apt-get install git git-lfs openssh-client chromium nginx-light curl)" >&2; exit 1
  fi
fi

# PostgreSQL from Debian: the HTTP suites run a second time on it (a throwaway cluster per test
# process, started by test/support/postgres.ts), and the end-to-end runs on PostgreSQL + S3.
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; else echo "postgresql is required (apt-get install postgresql)" >&2; exit 1; fi
fi

if [ ! -d node_modules ]; then npm install --no-audit --no-fund; fi

req=test/e2e/requirements.txt
stamp=.venv/.requirements
if [ ! -x .venv/bin/python ] || ! cmp -s "$req" "$stamp"; then
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
fi

# A real S3 server for the blob-store tests (built once into .cache/bin).
bash scripts/versitygw.sh

npm run build --silent
node --test --test-concurrency=1 dist/test/
# The same HTTP suites with the metadata in PostgreSQL: one test body per store, both databases.
HUBBLE_TEST_DATABASE=postgres node --test --test-concurrency=1 dist/test/http/
# The client suites (huggingface_hub with Xet on and off, huggingface.js, git + git-lfs over HTTP and
# SSH) against a deployment: two nodes on PostgreSQL + S3 behind a balancer alternating requests.
HUBBLE_TEST_TOPOLOGY=two-nodes node --test --test-concurrency=1 dist/test/e2e/hf-python.test.js dist/test/e2e/hf-js.test.js dist/test/e2e/git.test.js dist/test/e2e/ssh.test.js
