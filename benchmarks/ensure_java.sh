#!/bin/sh
# `make bench` needs a Java runtime for OpenAPI Generator (its PyPI package bundles the jar, not a JVM).
# Installs Debian's headless JRE when running as root with apt-get; otherwise says what to do and fails.
if command -v java >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "make bench: no Java runtime; installing default-jre-headless with apt-get" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        default-jre-headless >/dev/null && command -v java >/dev/null 2>&1 && exit 0
fi
echo "make bench: OpenAPI Generator needs a Java runtime (11 or later) and none was found or could be installed." >&2
echo "Install one (e.g. 'apt-get install default-jre-headless') so that 'java -version' works, then run 'make bench' again." >&2
exit 1
