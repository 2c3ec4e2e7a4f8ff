#!/usr/bin/env bash
# Installs Debian's headless Chromium when it is missing (used by the HTML
# report test). Prints the browser's path, or nothing when it cannot be had.
set -u
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then command -v "$b"; exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2 || true
fi
for b in chromium chromium-browser; do
  if command -v "$b" >/dev/null 2>&1; then command -v "$b"; exit 0; fi
done
exit 0
