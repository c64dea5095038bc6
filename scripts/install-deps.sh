#!/usr/bin/env bash
# Installs the Debian packages aw-server-swift needs to build and test, when they are missing.
# Usage: scripts/install-deps.sh [build|package|test|bench]
#   (default: build; package: build's and the packaging tools; bench: test's and wrk)
set -euo pipefail
want=(libsqlite3-dev libpcre2-dev libx11-dev libxss-dev libwayland-dev libdbus-1-dev)
if [[ "${1:-build}" == "bench" ]]; then
  want+=(wrk)
  set -- test
fi
if [[ "${1:-build}" == "package" ]]; then
  # scripts/package.sh: dpkg-shlibdeps for the package's dependencies, patchelf to drop the
  # build's library search path from the binaries.
  want+=(dpkg-dev patchelf)
fi
if [[ "${1:-build}" == "test" ]]; then
  want+=(sqlite3 curl dpkg-dev patchelf)
  # The package tests: lintian checks the Debian package, man renders its manual pages.
  want+=(lintian man-db)
  # A real X server for the watcher tests: Xvfb, a window manager, and tools that open, switch
  # and poke windows (xterm, xmessage/xprop, xset, xdotool).
  want+=(xvfb xfonts-base openbox xterm x11-utils x11-xserver-utils xdotool)
  # Real Wayland compositors run headless: sway with foot terminals, wtype for key presses,
  # XWayland for an X client under Wayland, weston for a compositor without the protocols, KWin;
  # wayland-info lists globals, wayland-scanner checks the generated protocol code.
  want+=(sway foot wtype xwayland wayland-utils weston libwayland-bin)
  # KDE Plasma's compositor, run headless on a private D-Bus session bus.
  want+=(kwin-wayland dbus)
  # GNOME Shell run headless (gjs, gsettings and gdbus come with it), for the GNOME extension.
  want+=(gnome-shell)
  # Validators for the autostart files.
  want+=(desktop-file-utils systemd)
  # The example modules: a git working tree to watch; tmux for a watcher from PyPI; a C compiler
  # for the C plugin example and the plugin tests.
  want+=(git tmux gcc libc6-dev)
  # A private PostgreSQL cluster for the PostgreSQL datastore tests (scripts/postgres-cluster.sh).
  want+=(postgresql)
  # The dashboard tests: headless Chromium driven through chromium-driver, and a font to render.
  want+=(chromium chromium-driver fonts-dejavu-core)
  python3 -c 'import venv, ensurepip' 2>/dev/null || want+=(python3-venv)
fi
missing=()
for package in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
