#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
# A real S3 server for the blob-store tests: versitygw (Apache-2.0), built once from the Go module
# proxy into .cache/bin (a few minutes the first time). Go from /usr/local/go or Debian's golang.
VERSITYGW_VERSION=v1.7.0
if [ ! -x .cache/bin/versitygw ] || [ "$(cat .cache/bin/versitygw.version 2>/dev/null)" != "$VERSITYGW_VERSION" ]; then
  export PATH="$PATH:/usr/local/go/bin"
  if ! command -v go >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go; else echo "Go is required to build versitygw" >&2; exit 1; fi
  fi
  mkdir -p .cache/bin
  GOBIN="$PWD/.cache/bin" GOTOOLCHAIN=auto go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
  echo "$VERSITYGW_VERSION" > .cache/bin/versitygw.version
fi

