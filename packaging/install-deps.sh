#!/bin/sh
# Installs every Debian 12 package zhucan needs to build, test and run, and nothing else.
# Run as root (CI does) or as a user with sudo.
set -eu

PACKAGES="
build-essential
cmake
git
pkg-config
clang
clang-format
clang-tidy
libclang-rt-14-dev
libsqlite3-dev
sqlite3
libsodium-dev
libjansson-dev
libcmocka-dev
libusb-1.0-0-dev
umockdev
libumockdev-dev
libsdl2-dev
libsdl2-ttf-dev
libsdl2-image-dev
libfontconfig-dev
fonts-wqy-microhei
espeak-ng
libespeak-ng-dev
libqrencode-dev
tzdata
libcurl4-openssl-dev
libmicrohttpd-dev
libpq-dev
postgresql
chromium
"

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# Skip apt entirely when everything is there: keeps repeated runs fast and offline-safe.
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js runs the console's browser tests; a machine may already have its own (with npm).
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
else
    echo "install-deps: installing$missing"
    $SUDO apt-get update -q
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    $SUDO apt-get install -y -q --no-install-recommends $missing
fi

# The browser tests drive Debian's chromium with playwright-core (no browser download).
browser_dir="$(dirname "$0")/../tests/browser"
if [ -f "$browser_dir/package-lock.json" ] && [ ! -d "$browser_dir/node_modules/playwright-core" ]; then
    (cd "$browser_dir" && npm ci --no-audit --no-fund)
fi
