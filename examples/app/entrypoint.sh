#!/bin/sh
# Boots the example app. Misbehaviours for tests: CRASH=1 exits at once (a crash loop under a restart
# policy); BOOT_ERROR=1 logs an ERROR line and keeps serving; SLOW=1 delays readiness by 2 s.
echo "starting example-app version ${VERSION}"
if [ "${CRASH:-0}" = "1" ]; then
  echo "FATAL: crashing on purpose (CRASH=1)" >&2
  exit 1
fi
if [ "${BOOT_ERROR:-0}" = "1" ]; then
  echo "ERROR boot: configuration check failed (BOOT_ERROR=1)" >&2
fi
[ "${SLOW:-0}" = "1" ] && sleep 2
mkdir -p /tmp/www
printf '{"version":"%s"}\n' "${VERSION}" > /tmp/www/version
printf 'ok\n' > /tmp/www/health
echo "listening on 127.0.0.1:${PORT}"
exec httpd -f -p "127.0.0.1:${PORT}" -h /tmp/www
