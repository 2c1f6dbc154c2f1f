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
"

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# Skip apt entirely when everything is there: keeps repeated runs fast and offline-safe.
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi
echo "install-deps: installing$missing"
$SUDO apt-get update -q
# shellcheck disable=SC2086 # word splitting of the package list is intended
$SUDO apt-get install -y -q --no-install-recommends $missing
