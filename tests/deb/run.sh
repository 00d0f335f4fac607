#!/usr/bin/env bash
# The Debian package, end to end (issue 19; scripts/check step `deb`), as
# root on Debian 12:
#   1. the version of debian/changelog is configure.ac's
#   2. dpkg-buildpackage -us -uc -b from a clean copy of HEAD (git archive);
#      the same in a root with only build-essential after apt-get build-dep
#   3. lintian on the .changes: no error, no warning
#   4. the contents (dpkg-deb -c) against the layout of the issue
#   5. in a fresh Debian 12 root (mmdebstrap, cached as a tarball in
#      /var/cache/customers-fcgi-check/), tests/deb/in-root.sh: the README's
#      "Install from the package" word for word, a token and a customer
#      through lighttpd, an upgrade to a newer build, a purge, and what is
#      left
# TAP on stdout.  Everything it makes lives in one temporary directory (the
# root's mounts in a mount namespace of their own, its processes in a PID
# namespace of their own), removed at the end; only the cached tarball stays.
#   DEB_FROM_WORKTREE=1   build the working tree's files instead of HEAD
#   DEB_KEEP=1            keep the temporary directory (its path is printed)
#   DEB_BUILD_DEPS=0      skip the build in a root with only build-essential
set -uo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
CACHE=/var/cache/customers-fcgi-check
MIRROR=${DEB_MIRROR:-http://deb.debian.org/debian}
ROOT_PACKAGES=mariadb-server,lighttpd,curl,jq,procps

N=0
FAILED=0
ok() {
	N=$((N + 1))
	echo "ok $N - $*"
}
not_ok() {
	N=$((N + 1))
	FAILED=$((FAILED + 1))
	echo "not ok $N - $*"
}
finish() {
	echo "1..$N"
	exit $((FAILED > 0))
}
# check DESCRIPTION COMMAND...: one case; the output of a failure is shown.
check() {
	local desc=$1 log
	shift
	log=$WORK/check.log
	if "$@" >"$log" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/#   /' "$log" | tail -n 40
		return 1
	fi
}

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root: the package is installed in a chroot"
	exit 0
fi
WORK=$(mktemp -d /tmp/customers-deb.XXXXXX) || exit 1
cleanup() {
	if [ "${DEB_KEEP:-}" = 1 ]; then
		echo "# kept $WORK"
	elif grep -qF " $WORK/" /proc/mounts; then
		echo "# $WORK still has mounts: not removed"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

check "debian/changelog has configure.ac's version" "$top_srcdir/scripts/debian-version"

# A clean copy: HEAD (or the working tree's tracked and new files).
copy_source() { # DIR
	mkdir -p "$1"
	if [ "${DEB_FROM_WORKTREE:-}" = 1 ]; then
		(cd "$top_srcdir" && git ls-files -co --exclude-standard -z | tar --null -cf - -T -) |
			tar -C "$1" -xf -
	else
		git -C "$top_srcdir" archive HEAD | tar -C "$1" -xf -
	fi
}
build() { # DIR
	(cd "$1" && dpkg-buildpackage -us -uc -b -j2)
}
copy_source "$WORK/old/src" || { not_ok "copy of the source"; finish; }
if ! check "dpkg-buildpackage -us -uc -b from a clean copy" build "$WORK/old/src"; then
	finish
fi
DEB=$(ls "$WORK"/old/customers-fcgi_*_amd64.deb)
VERSION=$(dpkg-deb -f "$DEB" Version)
check "it makes customers-fcgi and customers-fcgi-dbgsym $VERSION" \
	test -f "$WORK/old/customers-fcgi-dbgsym_${VERSION}_amd64.deb"

lintian_clean() {
	lintian --pedantic --display-info "$WORK"/old/customers-fcgi_*.changes | tee "$WORK/lintian.txt"
	! grep -Eq '^[EW]: ' "$WORK/lintian.txt"
}
check "lintian: 0 errors, 0 warnings" lintian_clean

# The layout: each path with its mode, owner and type as dpkg-deb -c shows it.
dpkg-deb -c "$DEB" | awk '{print $1, $2, $6}' | sed 's|\./|/|' >"$WORK/contents.txt"
has() { # MODE OWNER PATH
	grep -qxF -e "$1 $2 $3" "$WORK/contents.txt" || { echo "no '$1 $2 $3' in the package"; return 1; }
}
check "the daemon is /usr/sbin/customers-fcgi" has -rwxr-xr-x root/root /usr/sbin/customers-fcgi
check "the admin tool is /usr/bin/customers-admin" has -rwxr-xr-x root/root /usr/bin/customers-admin
check "no daemon in /usr/bin" bash -c "! grep -q ' /usr/bin/customers-fcgi$' '$WORK/contents.txt'"
check "man pages customers-fcgi(8), customers-admin(8), customers.conf(5)" bash -c "
	for m in man8/customers-fcgi.8.gz man8/customers-admin.8.gz man5/customers.conf.5.gz; do
		grep -qx -- '-rw-r--r-- root/root /usr/share/man/'\$m '$WORK/contents.txt' || { echo no \$m; exit 1; }
	done"
migrations() {
	local f
	for f in "$top_srcdir"/sql/*.sql; do
		has -rw-r--r-- root/root "/usr/share/customers-fcgi/sql/$(basename "$f")" || return 1
	done
}
check "every migration of sql/ under /usr/share/customers-fcgi/sql/" migrations
check "/etc/customers-fcgi/customers.conf, mode 0640" has -rw-r----- root/root /etc/customers-fcgi/customers.conf
check "no secret in the package" bash -c "! grep -E '/(jwt|cursor)\\.key|db-password|\\.pem\$' '$WORK/contents.txt'"
check "the systemd unit" has -rw-r--r-- root/root /lib/systemd/system/customers-fcgi.service
check "an init script for systems without systemd" has -rwxr-xr-x root/root /etc/init.d/customers-fcgi
check "the lighttpd snippet in conf-available" has -rw-r--r-- root/root /etc/lighttpd/conf-available/50-customers-fcgi.conf
check "the Apache snippet in conf-available (a2enconf)" has -rw-r--r-- root/root /etc/apache2/conf-available/customers-fcgi.conf
check "the nginx example under /usr/share/doc/customers-fcgi/examples/" \
	has -rw-r--r-- root/root /usr/share/doc/customers-fcgi/examples/nginx.conf
conffiles() {
	dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles | sort | tee "$WORK/conffiles.txt"
	printf '%s\n' /etc/apache2/conf-available/customers-fcgi.conf /etc/customers-fcgi/customers.conf \
		/etc/init.d/customers-fcgi /etc/lighttpd/conf-available/50-customers-fcgi.conf \
		/etc/logrotate.d/customers-fcgi |
		diff - "$WORK/conffiles.txt"
}
check "the conffiles: configuration, init script, the two snippets, logrotate" conffiles
unit_paths() {
	dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./lib/systemd/system/customers-fcgi.service |
		grep -x 'ExecStart=/usr/sbin/customers-fcgi -c /etc/customers-fcgi/customers.conf'
}
check "the unit starts /usr/sbin/customers-fcgi" unit_paths
relations() {
	local dep
	dep=$(dpkg-deb -f "$DEB" Depends Pre-Depends)
	echo "$dep"
	! echo "$dep" | grep -Eq 'lighttpd|apache2|nginx|mariadb-server'
	echo "$dep" | grep -q 'libmariadb3' && echo "$dep" | grep -q 'libfcgi0ldbl'
	dpkg-deb -f "$DEB" Recommends | grep -q 'mariadb-server'
}
check "libraries in Depends (shlibs), servers only recommended" relations

# The Apache snippet as a2enconf would enable it, with the modules its header
# names, in a copy of this machine's /etc/apache2 (Apache is not installed
# in the root below).
apache_syntax() {
	local c=$WORK/apache2 m
	cp -a /etc/apache2 "$c" &&
		dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./etc/apache2/conf-available/customers-fcgi.conf \
			>"$c/conf-enabled/customers-fcgi.conf" || return 1
	for m in proxy proxy_fcgi headers unique_id; do
		ln -sf "../mods-available/$m.load" "$c/mods-enabled/$m.load"
	done
	APACHE_CONFDIR=$c apache2ctl -t
}
if command -v apache2ctl >/dev/null && [ -d /etc/apache2/mods-available ]; then
	check "the Apache snippet passes apache2ctl -t" apache_syntax
else
	ok "the Apache snippet passes apache2ctl -t # SKIP no apache2 here"
fi

# A newer build for the upgrade: the same source one version up, with one
# migration more (999, a table of its own) for the upgrade to apply.
newer() {
	copy_source "$WORK/new/src" &&
		sed -i 's/^\(AC_INIT(\[customers-fcgi\], \[[^]]*\)\]/\1+upgradetest1]/' "$WORK/new/src/configure.ac" &&
		echo 'CREATE TABLE IF NOT EXISTS upgrade_test (id INT PRIMARY KEY) ENGINE=InnoDB;' \
			>"$WORK/new/src/sql/999-upgrade-test.sql" &&
		echo 'dist_sql_DATA += sql/999-upgrade-test.sql' >>"$WORK/new/src/Makefile.am" &&
		"$WORK/new/src/scripts/debian-version" --update && build "$WORK/new/src"
}
check "a newer build ($VERSION+upgradetest1) for the upgrade" newer

# The build dependencies are complete: in a root with only build-essential
# (mmdebstrap's buildd variant), apt-get build-dep ./ brings all the build
# needs.  Nothing of that root is kept (TARGET /dev/null).
build_deps_complete() {
	copy_source "$WORK/bd/src" &&
		mmdebstrap --variant=buildd \
			--customize-hook="copy-in $WORK/bd/src /" \
			--customize-hook='chroot "$1" sh -ec "cd /src && apt-get update -q &&
				DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q ./ &&
				dpkg-buildpackage -us -uc -b -j2 && ls /customers-fcgi_*_amd64.deb"' \
			bookworm /dev/null "$MIRROR"
}
if [ "${DEB_BUILD_DEPS:-1}" = 1 ]; then
	check "apt-get build-dep ./ on build-essential alone suffices to build" build_deps_complete
fi

# The root: a cached tarball of Debian 12 with MariaDB and lighttpd (and the
# tools of the test), made once.
KEY=$(echo "bookworm apt $ROOT_PACKAGES $MIRROR" | md5sum | cut -c1-12)
TARBALL=$CACHE/bookworm-$KEY.tar.zst
make_tarball() {
	mkdir -p "$CACHE" &&
		mmdebstrap --variant=apt --include="$ROOT_PACKAGES" --skip=cleanup/apt/lists \
			bookworm "$CACHE/tmp-$KEY.tar.zst" "$MIRROR" &&
		mv "$CACHE/tmp-$KEY.tar.zst" "$TARBALL"
}
if [ -f "$TARBALL" ]; then
	ok "a Debian 12 root (cached: $TARBALL)"
elif ! check "a Debian 12 root (mmdebstrap, cached as $TARBALL)" make_tarball; then
	rm -f "$CACHE/tmp-$KEY.tar.zst"
	finish
fi
R=$WORK/root
mkdir -p "$R" && tar -C "$R" --zstd -xf "$TARBALL" || { not_ok "unpack the root"; finish; }
mkdir -p "$R/tmp/pkg/upgrade"
cp "$DEB" "$R/tmp/pkg/" && cp "$WORK"/new/customers-fcgi_*_amd64.deb "$R/tmp/pkg/upgrade/" &&
	cp "$top_srcdir/tests/deb/in-root.sh" "$R/tmp/pkg/"
# The README's package section: the commands of its first sh block.
awk '/^## Install from the package/ {s = 1; next} s && /^## / {exit}
	s && /^```sh/ {b = 1; next} b && /^```/ {exit} b && NF && !/^#/ {print}' \
	"$top_srcdir/README.md" >"$R/tmp/pkg/readme.sh"
check "the README has an \"Install from the package\" section" test -s "$R/tmp/pkg/readme.sh"
# A free port for lighttpd.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
	echo 18080)

# in-root.sh in a mount and PID namespace of its own: the mounts go with
# the namespace, and every process it started ends with it.
# shellcheck disable=SC2016  # expanded by the inner shell
unshare --mount --pid --fork --propagation private bash -c '
	R=$1 PORT=$2
	mount --rbind /dev "$R/dev" && mount -t proc proc "$R/proc" && mount -t sysfs sys "$R/sys" &&
		cp /etc/resolv.conf "$R/etc/resolv.conf" &&
		exec chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root PORT="$PORT" \
			bash /tmp/pkg/in-root.sh' sh "$R" "$PORT" 2>&1 |
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
		echo "$N $FAILED" >"$WORK/counts"
	done
rc=${PIPESTATUS[0]}
read -r N FAILED <"$WORK/counts" 2>/dev/null || true
if [ "$rc" != 0 ] && [ "${FAILED:-0}" = 0 ]; then
	not_ok "in-root.sh ended with status $rc"
fi
check "no process of the root is left" bash -c "! ls -l /proc/[0-9]*/root 2>/dev/null | grep -F ' -> $R'"
finish
