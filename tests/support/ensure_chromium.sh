#!/bin/sh
# The docs-site browser tests (tests/docs_site) drive Debian's Chromium; browser downloads are not reachable.
# Installs Debian's chromium package when running as root with apt-get; otherwise says what to do and fails.
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "make test: no /usr/bin/chromium; installing Debian's chromium with apt-get" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        chromium >/dev/null && [ -x /usr/bin/chromium ] && exit 0
fi
echo "make test: the docs-site browser tests need Debian's chromium (/usr/bin/chromium), and it was not found" >&2
echo "or could not be installed. Install it ('apt-get install chromium'), then run 'make test' again." >&2
exit 1
