#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (tests/browser): install it with
# apt-get when it is missing and we are root; otherwise print the exact command. Playwright drives this
# system browser; nothing here (or in the tests) downloads a browser of its own. Exits 0 either way: the
# browser tests themselves fail with the same install step when Chromium is missing
# (PAPERFEED_SKIP_BROWSER=1 skips them).
set -u
chromium=/usr/bin/chromium
if [ -x "$chromium" ] || [ "${PAPERFEED_SKIP_BROWSER:-}" = "1" ]; then
  exit 0
fi
install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing Chromium for the browser tests: $install_cmd"
  if bash -c "$install_cmd"; then
    if [ -x "$chromium" ]; then
      exit 0
    fi
  fi
  echo "installing Chromium failed; the browser tests will fail." >&2
else
  echo "Chromium is not installed at $chromium; the browser tests will fail." >&2
  echo "Install it (Debian) with:  sudo sh -c '$install_cmd'" >&2
fi
echo "Or set PAPERFEED_SKIP_BROWSER=1 to skip the browser tests." >&2
exit 0
