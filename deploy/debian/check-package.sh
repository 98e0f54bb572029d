#!/usr/bin/env bash
# Checks a built servicaja .deb (CI runs it after `cargo deb`): what it installs where, with which modes,
# the conffile, the dependencies the LinuxKMS backend links, the maintainer scripts, the unit as
# systemd-analyze sees it, and that the binary is the production build (no demo commands).
# Usage: deploy/debian/check-package.sh path/to/servicaja_*.deb
set -euo pipefail
deb=$1
fail() { echo "check-package: $*" >&2; exit 1; }

echo "--- dpkg-deb -I"
dpkg-deb -I "$deb"
echo "--- dpkg-deb -c"
contents=$(dpkg-deb -c "$deb")
echo "$contents"

has() { # mode path
  grep -Eq "^$1 [^ ]+ +[0-9]+ [0-9-]+ [0-9:]+ \./$2\$" <<<"$contents" || fail "missing $2 with mode $1"
}
has '-rwxr-xr-x' 'usr/bin/servicaja'
has '-rw-r--r--' 'usr/lib/systemd/system/servicaja.service'
has '-rw-r--r--' 'lib/udev/rules.d/99-servicaja.rules'
has '-rw-------' 'etc/servicaja/kiosk.toml'
has '-rw-r--r--' 'usr/share/doc/servicaja/deploy.md'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -e "$deb" "$work/control"
dpkg-deb -x "$deb" "$work/root"
grep -qx '/etc/servicaja/kiosk.toml' "$work/control/conffiles" || fail "kiosk.toml is not a conffile"
depends=$(dpkg-deb -f "$deb" Depends)
for dep in adduser libinput10 libudev1 libxkbcommon0 libfontconfig1 espeak-ng; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
grep -q 'adduser --system' "$work/control/postinst" || fail "postinst does not create the user"
grep -q 'deb-systemd-helper enable servicaja.service' "$work/control/postinst" || fail "postinst does not enable the unit"
grep -q 'deb-systemd-invoke stop' "$work/control/prerm" || fail "prerm does not stop the unit"
for script in postinst prerm postrm; do
  sh -n "$work/control/$script" || fail "$script does not parse"
done

# The packaged unit, verified with ExecStart's program replaced by /bin/true (it is not installed here).
sed 's#^ExecStart=/usr/bin/servicaja #ExecStart=/bin/true #' "$work/root/usr/lib/systemd/system/servicaja.service" \
  >"$work/servicaja.service"
verify=$(systemd-analyze verify "$work/servicaja.service" 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify warned: $verify"

# The production build: the packaged configuration passes, and there is no demo command.
binary="$work/root/usr/bin/servicaja"
[ "$("$binary" config check "$work/root/etc/servicaja/kiosk.toml")" = ok ] || fail "the packaged kiosk.toml does not pass config check"
if "$binary" --help | grep -q devsim; then fail "the packaged binary is a demo build (it has devsim)"; fi

echo "--- sizes"
echo "package: $(stat -c %s "$deb") bytes; binary: $(stat -c %s "$binary") bytes"
echo "check-package: ok"
