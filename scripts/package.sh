#!/usr/bin/env bash
# Builds what a user installs without a Swift toolchain, into dist/ (or the folder given):
#   aw-server-swift_<version>_amd64.deb            the Debian package
#   aw-server-swift-<version>-linux-x86_64.tar.gz  the same files, runnable from wherever unpacked
# Both hold aw-server, aw, the desktop watcher plugin, man pages, bash/zsh/fish completions, the
# GNOME Shell extension, the copyright file and the changelog; the package adds the systemd user
# unit and the XDG autostart entry (files a user enables; nothing starts by itself). The binaries
# carry the Swift runtime and Foundation (scripts/release-build.sh), so they need no file of the
# toolchain. The version is ProductVersion.number in Sources/AWCore/ProductVersion.swift.
# Usage: scripts/package.sh [--gnome-shell N] [--minimal] [OUTPUT_FOLDER]
#   --gnome-shell N  the GNOME Shell release the packaged extension's entry point is for
#                    (default: the gnome-shell this machine's package sources offer)
#   --minimal        package the build scripts/run.sh makes: no PostgreSQL datastore and no HTTPS
#                    client (the package traits off), in about a third of the build time; built
#                    in .build-minimal, so that .build keeps its traits. The test suite uses it.
set -euo pipefail
cd "$(dirname "$0")/.."
gnome_shell=""
build_options=()
build=.build/release
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --gnome-shell) gnome_shell="$2"; shift 2 ;;
    --minimal) build_options=(--disable-default-traits --scratch-path=.build-minimal); build=.build-minimal/release; shift ;;
    *) echo "package.sh: unknown option '$1' (see the comment at the top of scripts/package.sh)" >&2; exit 2 ;;
  esac
done
out="$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)"

scripts/install-deps.sh package
version="$(sed -n 's/^ *public static let number = "\([^"]*\)".*/\1/p' Sources/AWCore/ProductVersion.swift)"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "package.sh: no version in ProductVersion.swift" >&2; exit 1; }
if [[ -z "$gnome_shell" ]]; then
  gnome_shell="$(apt-cache policy gnome-shell 2>/dev/null | sed -n 's/^ *Candidate: \([0-9]*\).*/\1/p')"
  [[ "$gnome_shell" =~ ^[0-9]+$ ]] || {
    echo "package.sh: cannot tell which GNOME Shell the package is for; name it with --gnome-shell N" >&2
    exit 1
  }
fi

scripts/release-build.sh "${build_options[@]}" aw-server aw aw-plugin-desktop
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The files both forms share, laid out under the folder given: bin/, lib/aw-server-swift/plugins/,
# share/.
stage() {
  local prefix="$1"
  install -d "$prefix/bin" "$prefix/lib/aw-server-swift/plugins" "$prefix/share/man/man1" \
    "$prefix/share/bash-completion/completions" "$prefix/share/zsh/vendor-completions" \
    "$prefix/share/fish/vendor_completions.d" "$prefix/share/doc/aw-server-swift"
  local tool
  for tool in aw-server aw; do
    install -m 755 "$build/$tool" "$prefix/bin/$tool"
    # bash sources completion files; a #! line would only mislead.
    "$build/$tool" --generate-completion-script bash | sed '1{/^#!/d}' >"$prefix/share/bash-completion/completions/$tool"
    "$build/$tool" --generate-completion-script zsh >"$prefix/share/zsh/vendor-completions/_$tool"
    "$build/$tool" --generate-completion-script fish >"$prefix/share/fish/vendor_completions.d/$tool.fish"
    "$manual" "$build/$tool" --multi-page --date "$date" --section 1 \
      --authors "aw-server-swift developers<aw-server-swift@activitywatch.net>" --output-directory "$prefix/share/man/man1"
  done
  gzip -9n "$prefix"/share/man/man1/*.1
  install -m 644 "$build/libaw-plugin-desktop.so" "$prefix/lib/aw-server-swift/plugins/"
  # Symbols and the toolchain's search path are not needed to run; the plugin stays loadable.
  strip --strip-unneeded --remove-section=.comment --remove-section=.note "$prefix"/bin/* \
    "$prefix"/lib/aw-server-swift/plugins/*.so
  patchelf --remove-rpath "$prefix"/bin/* "$prefix"/lib/aw-server-swift/plugins/*.so
  "$build/aw-server" gnome-extension install --shell-version "$gnome_shell" \
    --files-into "$prefix/share/gnome-shell/extensions/$uuid" >/dev/null
  install -m 644 packaging/copyright "$prefix/share/doc/aw-server-swift/copyright"
  gzip -9nc "$work/changelog" >"$prefix/share/doc/aw-server-swift/changelog.gz"
  # aw-server writes its files for the user alone (umask 077); these are for everyone.
  find "$prefix" -type d -exec chmod 755 {} +
  find "$prefix" -type f ! -path "$prefix/bin/*" -exec chmod 644 {} +
}

scripts/release-build.sh "${build_options[@]}" generate-manual
manual="$build/generate-manual"
uuid="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["uuid"])' Sources/AWGnomeShell/extension/metadata.json)"
commit_date="$(git log -1 --format=%cD 2>/dev/null || date -R)"
date="$(date -d "$commit_date" +%Y-%m-%d)"
{
  echo "aw-server-swift ($version) unstable; urgency=medium"
  echo
  echo "  * Release $version, built from commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo "    What changed: docs/ in the source tree and the project's issue notes."
  echo
  echo " -- aw-server-swift developers <aw-server-swift@activitywatch.net>  $commit_date"
} >"$work/changelog"

# The tarball's folder holds the layout; the package puts the same files under /usr.
name="aw-server-swift-$version-linux-x86_64"
stage "$work/$name"
root="$work/deb"
install -d "$root/usr"
cp -a "$work/$name/." "$root/usr/"
# The Debian package adds the systemd user unit and the autostart entry, which name the binary by
# its installed path.
install -d "$root/usr/lib/systemd/user" "$root/usr/share/aw-server-swift" "$root/DEBIAN"
"$build/aw-server" autostart show --systemd --executable /usr/bin/aw-server \
  >"$root/usr/lib/systemd/user/aw-server-swift.service"
"$build/aw-server" autostart show --xdg --executable /usr/bin/aw-server \
  >"$root/usr/share/aw-server-swift/aw-server-swift.desktop"
chmod 644 "$root/usr/lib/systemd/user/aw-server-swift.service" "$root/usr/share/aw-server-swift/aw-server-swift.desktop"
# Depends: what the binaries link (SQLite, PCRE2, the C and C++ runtimes); the plugin's desktop
# libraries are Recommends, so a headless server installs without them.
mkdir -p "$work/shlibs/debian"
printf 'Source: aw-server-swift\n\nPackage: aw-server-swift\nArchitecture: amd64\n' >"$work/shlibs/debian/control"
(cd "$work/shlibs" && dpkg-shlibdeps -O --warnings=0 -e"$root/usr/bin/aw-server" -e"$root/usr/bin/aw" \
  -dRecommends -e"$root/usr/lib/aw-server-swift/plugins/libaw-plugin-desktop.so") >"$work/shlibs.txt"
depends="$(sed -n 's/^shlibs:Depends=//p' "$work/shlibs.txt")"
recommends="$(sed -n 's/^shlibs:Recommends=//p' "$work/shlibs.txt")"
[[ -n "$depends" && -n "$recommends" ]] || { echo "package.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$(du -sk --apparent-size "$root/usr" | cut -f1)/" \
  -e "s/@DEPENDS@/$depends/" -e "s/@RECOMMENDS@/$recommends/" packaging/control.in >"$root/DEBIAN/control"
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
chmod 755 "$root" "$root/DEBIAN"
deb="$out/aw-server-swift_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null

# The tarball has no systemd unit or autostart entry: `bin/aw-server autostart install` writes
# them naming the binary where it was unpacked.
install -m 644 LICENSE "$work/$name/share/doc/aw-server-swift/LICENSE"
tarball="$out/$name.tar.gz"
tar -C "$work" --owner=0 --group=0 --numeric-owner --sort=name --mtime="$commit_date" -czf "$tarball" "$name"
echo "$deb"
echo "$tarball"
