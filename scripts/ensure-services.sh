#!/usr/bin/env bash
# Make sure the PostgreSQL server the tests use is up (the machine usually starts it; start it if not).
set -u
url_host=127.0.0.1
if command -v pg_isready >/dev/null && pg_isready -q -h "$url_host" -p 5432; then
  exit 0
fi
if [ -n "${PAPERFEED_TEST_PG_URL+x}" ] && [ -z "$PAPERFEED_TEST_PG_URL" ]; then
  exit 0  # PostgreSQL tests switched off on purpose
fi
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  echo "starting PostgreSQL ..."
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h "$url_host" -p 5432 && exit 0; sleep 1; done
fi
echo "PostgreSQL is not reachable on $url_host:5432; the PostgreSQL half of the suite will fail." >&2
echo "Install and start it (Debian: apt-get install postgresql), or set PAPERFEED_TEST_PG_URL= to skip it." >&2
exit 0
