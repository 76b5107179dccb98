#!/usr/bin/env bash
# Builds the example application image.
#   examples/app/build.sh TAG [VERSION] [REVISION]
# Copies the host's static busybox (Debian: busybox-static) into a temporary build context.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tag="${1:?usage: build.sh TAG [VERSION] [REVISION]}"
version="${2:-0.0.0}"
revision="${3:-unknown}"
busybox="${BUSYBOX:-/bin/busybox}"
if ! "$busybox" true 2>/dev/null; then
  echo "build.sh: $busybox is not a working busybox; install busybox-static" >&2
  exit 1
fi
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
cp "$here/Dockerfile" "$here/entrypoint.sh" "$ctx/"
cp "$busybox" "$ctx/busybox"
docker build -q --build-arg "VERSION=$version" --build-arg "REVISION=$revision" -t "$tag" "$ctx" >/dev/null
docker image inspect --format '{{.Id}}' "$tag"
