#!/usr/bin/env bash
# Makes sure what qualify's demo and tests need is present and running, installing what is missing:
# a Docker engine, busybox-static (to build images FROM scratch), a local image registry bound to
# 127.0.0.1:5000, poppler-utils and qpdf (to check the PDFs we write), libnss3-tools (certutil: PDF
# signature trust), openssl, openssh-server/-client and iproute2 (the tests start a second dockerd over
# mutual TLS and an sshd on 127.0.0.1 as remote engines), chromium (the browser tests of the
# auditor's site drive Debian's chromium through playwright-core; nothing is downloaded by playwright),
# a Java runtime and Apache PDFBox Preflight (default-jre-headless, libpdfbox2-java, libactivation-java,
# libjaxb-api-java: the PDF/A validation of the PDFs we write), docker-compose 1.x (the fleet tests run
# a Compose project on an extra engine; compose.project asks it for config hashes), the npm dependencies
# and the build.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

REGISTRY_ADDR="${QUALIFY_REGISTRY:-127.0.0.1:5000}"
STATE_DIR="${QUALIFY_STATE_DIR:-/var/lib/qualify-dev}"
say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
apt_updated=0
apt_install() {
  can_apt || die "missing: $*. Install them (Debian/Ubuntu: apt-get install -y $*) or run this as root on Debian."
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  say "installing $*"
  # No package starts its service (sshd on port 22, docker-registry on every interface): this script
  # starts what the tests need itself, bound to 127.0.0.1.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || { [ "$made_policy" = 1 ] && rm -f "$policy"; die "apt-get install $* failed"; }
  [ "$made_policy" = 1 ] && rm -f "$policy"
  return 0
}

# 1. Debian packages the tests and the demo use.
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
command -v certutil >/dev/null 2>&1 || missing+=(libnss3-tools)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
[ -f /usr/share/java/preflight.jar ] || missing+=(libpdfbox2-java)
[ -f /usr/share/java/javax.activation.jar ] || missing+=(libactivation-java)
[ -f /usr/share/java/jaxb-api.jar ] || missing+=(libjaxb-api-java)
if [ "${#missing[@]}" -gt 0 ]; then
  # shellcheck disable=SC2207
  uniq=($(printf '%s\n' "${missing[@]}" | sort -u))
  apt_install "${uniq[@]}"
fi

# 2. A Docker engine that answers.
if ! docker info >/dev/null 2>&1; then
  if [ -n "${DOCKER_HOST:-}" ]; then
    die "DOCKER_HOST=$DOCKER_HOST does not answer 'docker info'; start that engine or unset DOCKER_HOST."
  fi
  [ "$(id -u)" = 0 ] || die "no Docker engine answers on /var/run/docker.sock and this is not root: start dockerd (or set DOCKER_HOST) and retry."
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    say "removing stale /var/run/docker.pid"
    rm -f /var/run/docker.pid
  fi
  say "starting dockerd (log: /var/log/dockerd.log)"
  setsid nohup dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || die "dockerd did not answer within 60 s; see /var/log/dockerd.log"
fi

# 3. A local registry on 127.0.0.1 only, so pushed images get real digests.
if ! curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "no image registry answers at http://$REGISTRY_ADDR/v2/; start one bound to $REGISTRY_ADDR."
  mkdir -p "$STATE_DIR/registry"
  cat > "$STATE_DIR/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YAML
  say "starting docker-registry on $REGISTRY_ADDR (log: $STATE_DIR/registry.log)"
  setsid nohup docker-registry serve "$STATE_DIR/registry.yml" >"$STATE_DIR/registry.log" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1 && break
    sleep 0.25
  done
  curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1 || die "the registry did not answer at $REGISTRY_ADDR; see $STATE_DIR/registry.log"
fi

# 4. npm dependencies and the build.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund >/dev/null
elif [ ! -f dist/cli/main.js ] || [ -n "$(find src -newer dist/cli/main.js -name '*.ts' -print -quit)" ]; then
  say "building"
  npm run -s build
fi
say "ready: docker $(docker version --format '{{.Server.Version}}'), registry $REGISTRY_ADDR"
