#!/bin/bash
# Runs inside the fresh Debian 12 root that tests/deb/run.sh made, as root,
# in its own PID namespace (every process started here ends with it).
# In /tmp/pkg: customers-fcgi_OLD.deb, upgrade/customers-fcgi_NEW.deb and
# readme.sh, the commands of README.md's "Install from the package", one a
# line.  PORT: lighttpd's port (the host's network is shared, 80 may be
# taken).  Prints TAP lines without numbers ("ok - ..."); run.sh numbers
# them.
set -u
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
PORT=${PORT:?}
PKG=/tmp/pkg
OUT=$PKG/out
mkdir -p "$OUT"
FAILED=0

ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $*"
	FAILED=$((FAILED + 1))
}
# check DESCRIPTION COMMAND...: one case, the command's output kept in $OUT.
n=0
check() {
	local desc=$1 log
	shift
	n=$((n + 1))
	log=$OUT/$n.log
	if "$@" >"$log" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/#   /' "$log" | tail -n 30
	fi
}
# An HTTP request through lighttpd: prints the body, fails unless STATUS.
http() { # STATUS CURL-ARGS...
	local want=$1 code
	shift
	code=$(curl -s -o "$OUT/body" -w '%{http_code}' "$@") || true
	cat "$OUT/body"
	echo
	[ "$code" = "$want" ] || { echo "HTTP $code, expected $want" >&2; return 1; }
}
wait_for() { # SECONDS COMMAND...: polls until the command succeeds
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		"${@:2}" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	"${@:2}"
}
pool_pid() { cat /run/customers-fcgi.pid 2>/dev/null; }
pool_running() { [ -n "$(pool_pid)" ] && kill -0 "$(pool_pid)" 2>/dev/null; }

# -- What the machine has before: apt answers yes (the README's `apt
# install` asks), MariaDB only on its socket, lighttpd on PORT.  No init
# system and no policy-rc.d, as in a container: invoke-rc.d refuses every
# start, so the README's commands must start what they need themselves.
echo 'APT::Get::Assume-Yes "true";' >/etc/apt/apt.conf.d/90customers-test
printf '[mysqld]\nskip-networking\n' >/etc/mysql/mariadb.conf.d/90-customers-test.cnf
sed -i "s/^server.port .*/server.port = $PORT/" /etc/lighttpd/lighttpd.conf
check "apt-get update in the root" apt-get update -q

# Every file before the package, to compare with what purge leaves.
snapshot() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /run \
		-o -path /var/lib/mysql -o -path /var/lib/apt -o -path /var/lib/dpkg \
		-o -path /var/cache -o -path /var/log \) -prune -o -print | sort
}
snapshot >$PKG/before.txt

# -- The README, word for word (only lighttpd's port added to the URLs).
cd $PKG || exit 1
i=0
while IFS= read -r cmd; do
	i=$((i + 1))
	cmd=${cmd//http:\/\/localhost\//http://localhost:$PORT/}
	check "README step $i: $cmd" bash -euo pipefail -c "$cmd"
	cp "$OUT/$n.log" "$OUT/readme-$i.log"
done <$PKG/readme.sh
last=$i
[ "$last" -le 6 ] && ok "the README takes $last commands (at most 6)" ||
	not_ok "the README takes $last commands, more than 6"

check "the pool runs as customers-fcgi" \
	bash -c '[ "$(ps -o user= -p "$(cat /run/customers-fcgi.pid)")" = customers-fcgi ]'
check "/healthz answers 200 through lighttpd" http 200 "http://localhost:$PORT/healthz"
TOKEN=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$OUT/readme-$last.log")
check "the README's last command printed a token" test -n "$TOKEN"
check "demo-client.json keeps the client's credentials" \
	jq -e '.client_id and .client_secret' $PKG/demo-client.json

ENTITY=$(cat /proc/sys/kernel/random/uuid)
create_customer() {
	http 200 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d '{"entityId":"'"$ENTITY"'","entityType":"NATURAL_PERSON","labels":["vip"],
		     "refAccounts":[{"iban":"DE89370400440532013000","ownerName":"Erika Mustermann","type":"PRIMARY"}]}' \
		"http://localhost:$PORT/roles/customers"
}
check "POST /roles/customers creates a customer" create_customer
ID=$(jq -r .customerId "$OUT/body" 2>/dev/null)
read_customer() {
	http 200 -H "Authorization: Bearer $TOKEN" "http://localhost:$PORT/roles/customers/$ID" &&
		jq -e --arg e "$ENTITY" '.entityId == $e' "$OUT/body"
}
check "GET /roles/customers/ID reads it back" read_customer
# The pool's background tasks run under the init script too: an immediate
# offboarding is executed by the executor within 5 s (contract §12).
for t in "offboarding executor" "event sequencer" "webhook deliverer"; do
	check "the installed pool runs its $t" grep -q "task $t: started" /var/log/customers-fcgi.log
done
offboard_customer() {
	http 200 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-H "Requestor-ID: $(cat /proc/sys/kernel/random/uuid)" \
		-d '{"roleType":"CUSTOMER","roleId":"'"$ID"'","reason":"CUSTOMER_REQUEST_IMMEDIATE"}' \
		"http://localhost:$PORT/roles/offboardings"
}
offboarded() {
	http 200 -H "Authorization: Bearer $TOKEN" "http://localhost:$PORT/roles/customers/$ID" &&
		jq -e '.customerStatus == "OFFBOARDED"' "$OUT/body"
}
check "POST /roles/offboardings (immediate) through lighttpd" offboard_customer
check "the installed pool's executor carries it out within 5 s" wait_for 5 offboarded
# Errors in the envelope even where Debian's lighttpd.conf would refuse or
# rewrite the URL itself (the snippet's server.http-parseopts).
bad_id() { # PATH: the application's 400 for a malformed customerId
	http 400 -H "Authorization: Bearer $TOKEN" --path-as-is "http://localhost:$PORT$1" &&
		jq -e '.requestId and .errorDetails[0].field == "customerId"' "$OUT/body"
}
check "a control character in the path (%0a) reaches the application: 400 envelope" \
	bad_id '/roles/customers/%0a'
check "%2F stays inside its path segment (not a route of three): 400 envelope" \
	bad_id '/roles/customers/a%2Fb'
check "config and secrets: mode 0640, root:customers-fcgi" bash -c '
	for f in customers.conf jwt.key cursor.key db-password; do
		s=$(stat -c "%a %U:%G" /etc/customers-fcgi/$f); echo "$f $s"
		[ "$s" = "640 root:customers-fcgi" ] || exit 1
	done'

# -- Upgrade: a newer build over this one, with the configuration edited.
# From here a policy-rc.d that allows every action stands for an init
# system, so that the maintainer scripts' stops and starts (invoke-rc.d,
# the init script) are seen to work.
printf '#!/bin/sh\nexit 0\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
sed -i 's/^;log_level = info$/log_level = debug/' /etc/customers-fcgi/customers.conf
check "the configuration is edited (log_level = debug)" \
	grep -qx 'log_level = debug' /etc/customers-fcgi/customers.conf
OLD_PID=$(pool_pid)
cp /etc/customers-fcgi/jwt.key $PKG/jwt.key.before
check "apt install of the newer build" apt install ./upgrade/customers-fcgi_*.deb
cp "$OUT/$n.log" "$OUT/upgrade.log"
check "the newer version is installed" \
	bash -c "dpkg-query -W -f='\${Version}' customers-fcgi | grep -qx '$(ls upgrade | sed -n 's/^customers-fcgi_\([^_]*\)_.*/\1/p')'"
check "the edited configuration is kept" grep -qx 'log_level = debug' /etc/customers-fcgi/customers.conf
check "the secrets are kept" cmp -s $PKG/jwt.key.before /etc/customers-fcgi/jwt.key
check "the upgrade applied the new migration (one file)" \
	grep -q 'migrate: 1 file(s) applied from /usr/share/customers-fcgi/sql' "$OUT/upgrade.log"
check "the new migration's table exists" mariadb -e 'SELECT COUNT(*) FROM customers.upgrade_test'
check "customers-admin migrate again applies nothing" \
	bash -c 'customers-admin migrate 2>&1 | tee /dev/stderr | grep -q "0 file(s) applied"'
check "the service was restarted (a new pool)" \
	bash -c '[ -n "$(cat /run/customers-fcgi.pid)" ] && [ "$(cat /run/customers-fcgi.pid)" != "$0" ] &&
		kill -0 "$(cat /run/customers-fcgi.pid)"' "$OLD_PID"
check "the old pool is gone" bash -c "! kill -0 '$OLD_PID' 2>/dev/null"
wait_for 10 http 200 "http://localhost:$PORT/healthz" >/dev/null 2>&1
check "after the upgrade, the customer reads back through lighttpd" read_customer
check "the restarted pool logs at debug level" grep -Eq 'worker [0-9]+ ready' /var/log/customers-fcgi.log

# -- Purge: nothing the package made is left but the database.
check "apt purge customers-fcgi" apt purge customers-fcgi
rm -f /usr/sbin/policy-rc.d
check "no customers-fcgi process is left" bash -c '! pgrep -x customers-fcgi'
check "the system user and group are gone" \
	bash -c '! getent passwd customers-fcgi && ! getent group customers-fcgi'
check "www-data is in no customers-fcgi group" bash -c '! id -nG www-data | grep -qw customers-fcgi'
check "config and secrets are gone" test ! -e /etc/customers-fcgi
check "log and runtime files are gone" \
	bash -c '! ls -d /var/log/customers-fcgi* /run/customers-fcgi* 2>/dev/null'
check "no lighttpd snippet or link is left" \
	bash -c '! ls /etc/lighttpd/conf-available/*customers* /etc/lighttpd/conf-enabled/*customers* 2>/dev/null'
check "lighttpd's configuration is still valid" lighttpd -tt -f /etc/lighttpd/lighttpd.conf
check "the database is left alone" mariadb -e 'SELECT COUNT(*) FROM customers.customers'

# Files now present that were not before and that no installed package
# owns.  Left aside: shadow's backups (adduser rewrote /etc/passwd), and the
# link to lighttpd's own fastcgi module, which the operator's
# lighty-enable-mod made (the snippet depends on it) and lighttpd owns.
leftovers() {
	snapshot >$PKG/after.txt
	cat /var/lib/dpkg/info/*.list | sort -u >$PKG/owned.txt
	comm -13 $PKG/before.txt $PKG/after.txt | comm -23 - $PKG/owned.txt |
		grep -Ev '^/etc/(passwd|group|shadow|gshadow)-$|^/etc/lighttpd/conf-enabled/10-fastcgi.conf$|^/tmp/pkg' |
		tee $PKG/leftovers.txt
	[ ! -s $PKG/leftovers.txt ]
}
check "no file the package made is left" leftovers

service lighttpd stop >/dev/null 2>&1
service mariadb stop >/dev/null 2>&1
exit $((FAILED > 0))
