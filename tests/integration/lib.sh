# shellcheck shell=bash
# lib.sh: start and stop the whole stack (a private MariaDB, the
# customers-fcgi worker pool on a unix socket, lighttpd in front of it), plus
# the TAP and HTTP helpers the integration cases use.  Sourced by
# the runners tests/integration/run-*.sh, by scripts/serve and by the fault tests.
#
# Everything of one stack lives in $STATE: database files, sockets, pid files,
# logs, generated secrets and configuration.  The tests make $STATE with
# mktemp -d; scripts/serve keeps it in var/.  Nothing listens on a fixed port
# unless asked: the tests take a free one.
#
# Set before calling (defaults in parentheses):
#   STATE    the state directory (required)
#   SRCDIR   the source tree, for sql/ and conf/ (required)
#   BINDIR   where customers-fcgi and customers-admin are ($SRCDIR/src)
#   WORKERS  customers-fcgi worker processes (2)
#   VALGRIND=1  run customers-fcgi under valgrind (logs: $STATE/valgrind.PID.log)
#   WEB, MOUNT  the web server in front and the mount prefix (see below)
#   DIE_STATUS  exit status of die (99, automake's "hard error")
#
# Processes are started in their own session (setsid), so a Ctrl-C on the
# terminal reaches only the calling script, whose trap stops them in order.

BINDIR=${BINDIR:-$SRCDIR/src}
# The customers-fcgi a web server starts (web_grant_access may point it at a
# copy its user can reach).
APP_BIN=$BINDIR/customers-fcgi
WORKERS=${WORKERS:-2}
DB_NAME=customers
DB_USER=customers

# ---- messages ----------------------------------------------------------

# A setup failure: the stack is unusable, so the run is a hard error, never
# a pass.  In TAP mode "Bail out!" tells the driver why.
die() {
	if [ "${TAP_MODE:-0}" = 1 ]; then
		printf 'Bail out! %s\n' "$*"
	else
		printf 'error: %s\n' "$*" >&2
	fi
	exit "${DIE_STATUS:-99}"
}

note() {
	if [ "${TAP_MODE:-0}" = 1 ]; then
		printf '# %s\n' "$*"
	else
		printf '%s\n' "$*" >&2
	fi
}

# ---- processes -------------------------------------------------------

# Retries CMD every 0.1 s for up to TENTHS tenths of a second.
wait_until() {
	local tenths=$1 i
	shift
	for ((i = 0; i < tenths; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

pid_alive() { # PIDFILE
	[ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

pid_gone() { # PID
	! kill -0 "$1" 2>/dev/null
}

# TERM the process of PIDFILE and wait up to TENTHS (300) for it to exit,
# then KILL it.  The pid file goes either way.
stop_pidfile() { # PIDFILE [TENTHS]
	local pid
	if pid_alive "$1"; then
		pid=$(cat "$1")
		kill -TERM "$pid" 2>/dev/null
		if ! wait_until "${2:-300}" pid_gone "$pid"; then
			note "pid $pid ($1) ignored SIGTERM; killing it"
			kill -KILL "$pid" 2>/dev/null
		fi
		# Reap it when it is our child, so its exit is recorded.
		wait "$pid" 2>/dev/null
	fi
	rm -f "$1"
}

# Starts CMD... in the background in its own session, stdout and stderr
# appended to LOG, and records its pid in PIDFILE.
spawn() { # PIDFILE LOG CMD...
	local pidfile=$1 log=$2
	shift 2
	setsid "$@" </dev/null >>"$log" 2>&1 &
	echo $! >"$pidfile"
}

# ---- ports and secrets -----------------------------------------------

port_in_use() { # PORT
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a TCP port on 127.0.0.1 that nothing listens on: the kernel's
# choice through perl when present, else a random probe.  Another process
# may still take it first; lighttpd_start retries with a new one.
free_port() {
	local p
	if p=$(perl -MIO::Socket::INET -e \
		'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)
		   or exit 1; print $s->sockport' 2>/dev/null) && [ -n "$p" ]; then
		echo "$p"
		return 0
	fi
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 30000))
		port_in_use "$p" || {
			echo "$p"
			return 0
		}
	done
	return 1
}

# Keeps a generated secret (64 hex characters, no newline) in FILE, made
# once, so tokens and cursors stay valid across restarts of a kept $STATE.
secret_file() { # FILE
	[ -s "$1" ] && return 0
	(umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$1")
}

# ---- MariaDB ----------------------------------------------------------

DB_SOCK() { echo "$STATE/mariadb.sock"; }

mariadb_root() { # mariadb client arguments...
	mariadb --no-defaults -S "$(DB_SOCK)" -uroot "$@"
}

mariadb_ping() {
	mariadb-admin --no-defaults -S "$(DB_SOCK)" -uroot ping >/dev/null 2>&1
}

# Starts mariadbd on a socket in $STATE (no TCP), creating the data
# directory on first use.  Small buffers: the tests hold a few hundred rows.
# Extra server options (the benchmark's) come last and so win.
mariadb_start() { # [MARIADBD-OPTION...]
	local user=()
	[ "$(id -u)" = 0 ] && user=(--user=root)
	if [ ! -d "$STATE/db/mysql" ]; then
		mariadb-install-db --no-defaults --datadir="$STATE/db" "${user[@]}" \
			--auth-root-authentication-method=normal --skip-test-db \
			>"$STATE/mariadb-install.log" 2>&1 ||
			die "mariadb-install-db failed; see $STATE/mariadb-install.log"
	fi
	spawn "$STATE/mariadb.pid" "$STATE/mariadb.log" mariadbd --no-defaults \
		--datadir="$STATE/db" --socket="$(DB_SOCK)" --pid-file="$STATE/mariadbd.pid" \
		"${user[@]}" --skip-networking --skip-name-resolve --performance-schema=OFF \
		--innodb-buffer-pool-size="${DB_BUFFER_POOL:-64M}" --innodb-log-file-size=32M \
		--max-connections=200 --log-error="$STATE/mariadb.log" --tmpdir="$STATE" "$@"
	wait_until 600 mariadb_ping_or_dead ||
		die "mariadbd did not start; see $STATE/mariadb.log"
	pid_alive "$STATE/mariadb.pid" || die "mariadbd exited; see $STATE/mariadb.log"
}

# Stops waiting as soon as the server answers or its process is gone.
mariadb_ping_or_dead() {
	mariadb_ping || ! pid_alive "$STATE/mariadb.pid"
}

mariadb_stop() {
	stop_pidfile "$STATE/mariadb.pid" 600
}

# The service's own account, with a generated password (kept in a file),
# allowed to create and use its database only.
mariadb_app_user() {
	local pw
	secret_file "$STATE/db-password"
	pw=$(cat "$STATE/db-password")
	mariadb_root -e "CREATE USER IF NOT EXISTS '$DB_USER'@'localhost';
		ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$pw';
		GRANT ALL ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';" ||
		die "cannot create the database user"
}

# Runs SQL against the service's database as root; tab-separated, no header.
db_query() { # SQL
	mariadb_root -B -N -D "$DB_NAME" -e "$1"
}

# Where the label store disagrees with itself: customers whose read copy
# is not their label rows' names in byte order, label rows whose dictionary
# entry is another partner's, and labels whose count is not the number of
# their customers that are not OFFBOARDED, and customers whose label
# signature (sql/010) is not the one of their label rows.  0 when all agree.
LABELS_MISMATCH_SQL="SELECT
	(SELECT COUNT(*) FROM customers c WHERE c.labels_text <> COALESCE(
		(SELECT GROUP_CONCAT(d.name ORDER BY d.name SEPARATOR X'1F')
		 FROM customer_labels l JOIN partner_labels d ON d.label_id = l.label_id
		 WHERE l.customer_id = c.id), ''))
	+ (SELECT COUNT(*) FROM customer_labels l JOIN customers c ON c.id = l.customer_id
		JOIN partner_labels d ON d.label_id = l.label_id WHERE d.partner_id <> c.partner_id)
	+ (SELECT COUNT(*) FROM partner_labels d
		WHERE (SELECT COALESCE(SUM(k.n), 0) FROM partner_label_counts k WHERE k.label_id = d.label_id)
		<> (SELECT COUNT(*) FROM customer_labels l JOIN customers c ON c.id = l.customer_id
			AND c.status <> 'OFFBOARDED' WHERE l.label_id = d.label_id))
	+ (SELECT COUNT(*) FROM customers c WHERE c.label_sig <> COALESCE(
		(SELECT BIT_OR(1 << (l.label_id & 63)) FROM customer_labels l WHERE l.customer_id = c.id), 0))"

# ---- customers-fcgi ---------------------------------------------------

APP_CONF() { echo "$STATE/customers.conf"; }
APP_SOCK() { echo "$STATE/fcgi.sock"; }

# Writes $STATE/customers.conf; secrets live in files beside it.
app_conf_write() {
	secret_file "$STATE/jwt-secret"
	secret_file "$STATE/cursor-secret"
	cat >"$(APP_CONF)" <<-CONF
		# Generated by tests/integration/lib.sh (app_conf_write).
		[server]
		listen = $(web_spawns_app || APP_SOCK)
		workers = $WORKERS
		log_level = ${LOG_LEVEL:-info}
		socket_mode = $(if [ -n "$(web_user)" ]; then echo 0666; else echo 0660; fi)
		prefix = $MOUNT

		[database]
		socket = $(DB_SOCK)
		user = $DB_USER
		password_file = db-password
		name = $DB_NAME
		connect_timeout = 2
		retry_after = 1

		[auth]
		issuer = ${ISSUER:-customers-fcgi}
		jwt_secret_file = jwt-secret
		cursor_secret_file = cursor-secret

		# the lowest allowed by default, so cases_scan can cut pages with
		# few customers (bench/run sets the shipped value)
		[list]
		scan_limit = ${SCAN_LIMIT:-100}

		# The tests' webhook receivers listen on 127.0.0.1 with a
		# certificate of a CA made by cases-webhooks.sh: the operator's
		# relaxation is on here (WH_ALLOW_PRIVATE=0 turns it off), and the
		# retry schedule runs 1000 times faster.
		[webhooks]
		allow_private_addresses = ${WH_ALLOW_PRIVATE:-1}
		ca_file = $STATE/webhook-ca.pem
		time_scale = ${WH_TIME_SCALE:-1000}
	CONF
}

admin() { # customers-admin arguments...
	"$BINDIR/customers-admin" -c "$(APP_CONF)" "$@"
}

app_migrate() {
	admin migrate --sql-dir "$SRCDIR/sql" >>"$STATE/admin.log" 2>&1 ||
		die "customers-admin migrate failed; see $STATE/admin.log"
}

# Starts the worker pool on $STATE/fcgi.sock; with VALGRIND=1 under
# valgrind, which follows the forked workers into one log per process.
app_start() {
	local cmd=("$BINDIR/customers-fcgi" -c "$(APP_CONF)")
	[ -x "$BINDIR/customers-fcgi" ] || die "$BINDIR/customers-fcgi is not built"
	if [ "${VALGRIND:-0}" = 1 ]; then
		cmd=(valgrind --quiet --leak-check=full --show-leak-kinds=definite
			--errors-for-leak-kinds=definite --num-callers=30
			--log-file="$STATE/valgrind.%p.log" "${cmd[@]}")
	fi
	rm -f "$(APP_SOCK)"
	spawn "$STATE/fcgi.pid" "$STATE/fcgi.log" "${cmd[@]}"
	wait_until 600 app_socket_or_dead
	[ -S "$(APP_SOCK)" ] || die "customers-fcgi did not listen; see $STATE/fcgi.log"
}

app_socket_or_dead() {
	[ -S "$(APP_SOCK)" ] || ! pid_alive "$STATE/fcgi.pid"
}

# SIGTERM: the pool lets every worker finish its request, then exits 0.
app_stop() {
	stop_pidfile "$STATE/fcgi.pid" 300
}

# ---- the web server in front ------------------------------------------------
#
# WEB picks the server and how it reaches the application:
#   lighttpd        mod_fastcgi to the pool's socket (conf/lighttpd.conf.in)
#   lighttpd-spawn  lighttpd starts the pool itself with bin-path
#                   (conf/lighttpd-spawn.conf.in), mounted under $MOUNT
#   apache          Apache 2.4, mod_proxy_fcgi to the pool's socket
#                   (conf/apache2-proxy-fcgi.conf)
#   apache-fcgid    Apache 2.4, mod_fcgid starts the pool (conf/apache2-fcgid.conf)
#   nginx           fastcgi_pass to the pool's socket (conf/nginx.conf)
# The Apache and nginx files in conf/ are the ones operators copy; the tests
# include them as shipped and replace only their paths and port
# (web_site_write).  MOUNT (e.g. /api) serves the API under a prefix: the
# application's [server] prefix is set to it and BASE ends in it.
WEB=${WEB:-lighttpd}
MOUNT=${MOUNT:-}
WEB_PORT=
LIGHTTPD_PORT=

# The server's name: its pid file is $STATE/NAME.pid, its logs $STATE/NAME-*.log.
web_name() {
	case $WEB in
	lighttpd*) echo lighttpd ;;
	apache*) echo apache ;;
	nginx) echo nginx ;;
	*) die "unknown WEB=$WEB (lighttpd, lighttpd-spawn, apache, apache-fcgid, nginx)" ;;
	esac
}

# 0 when the web server starts the application (no app_start).
web_spawns_app() {
	case $WEB in
	lighttpd-spawn | apache-fcgid) return 0 ;;
	esac
	return 1
}

# The user the server's request handlers run as: Apache never runs them as
# root, nor does nginx unless told to, so as root the socket, the state directory and (when Apache starts
# the application) its configuration must be reachable for www-data.
web_user() {
	case $WEB in
	apache* | nginx) [ "$(id -u)" = 0 ] && echo www-data ;;
	esac
	return 0
}

web_answers() {
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$WEB_PORT$MOUNT/healthz"
}

web_answers_or_dead() {
	web_answers || ! pid_alive "$STATE/$(web_name).pid"
}

# Starts NAME (its pid file $STATE/NAME.pid) with CMD... after WRITE PORT
# made its configuration, on PORT or on a free port (retried when another
# process takes it first).  Sets WEB_PORT and BASE.
web_launch() { # NAME PORT WRITE CMD...
	local name=$1 want=$2 write=$3 try
	shift 3
	for try in 1 2 3 4 5; do
		WEB_PORT=${want:-$(free_port)} || die "no free port"
		if [ -n "$want" ] && port_in_use "$want"; then
			die "port $want is in use"
		fi
		"$write" "$WEB_PORT"
		spawn "$STATE/$name.pid" "$STATE/$name.log" "$@"
		wait_until 150 web_answers_or_dead
		if web_answers; then
			BASE=http://127.0.0.1:$WEB_PORT$MOUNT
			return 0
		fi
		stop_pidfile "$STATE/$name.pid" 50
		[ -n "$want" ] && break
		note "$name did not start on port $WEB_PORT (try $try)"
	done
	die "$name did not start; see $STATE/$name.log and $STATE/$name-error.log"
}

# Fills the @NAME@ placeholders of a template (conf/*.in) into OUT.
template_fill() { # TEMPLATE OUT PORT
	sed -e "s|@BIND@|127.0.0.1|g" -e "s|@PORT@|$3|g" -e "s|@SOCKET@|$(APP_SOCK)|g" \
		-e "s|@STATE@|$STATE|g" -e "s|@BINDIR@|$BINDIR|g" -e "s|@CONF@|$(APP_CONF)|g" \
		-e "s|@PREFIX@|$MOUNT|g" "$1" >"$2"
}

# ---- lighttpd -----------------------------------------------------------

lighttpd_conf_write() { # PORT
	local tmpl=$SRCDIR/conf/lighttpd.conf.in
	[ "$WEB" = lighttpd-spawn ] && tmpl=$SRCDIR/conf/lighttpd-spawn.conf.in
	template_fill "$tmpl" "$STATE/lighttpd.conf" "$1"
	lighttpd -tt -f "$STATE/lighttpd.conf" >>"$STATE/lighttpd.log" 2>&1 ||
		die "lighttpd rejects $STATE/lighttpd.conf; see $STATE/lighttpd.log"
}

lighttpd_answers() {
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$LIGHTTPD_PORT$MOUNT/healthz"
}

# Starts lighttpd on PORT, or on a free port (retried when another process
# takes the port first).  Sets LIGHTTPD_PORT and BASE.
lighttpd_start() { # [PORT]
	web_launch lighttpd "${1:-}" lighttpd_conf_write lighttpd -D -f "$STATE/lighttpd.conf"
	LIGHTTPD_PORT=$WEB_PORT
}

lighttpd_stop() {
	stop_pidfile "$STATE/lighttpd.pid" 100
}

# ---- Apache and nginx: the shipped site files -------------------------------

# conf/FILE as an operator installs it, with the test's socket, port,
# binary and configuration paths instead of the installed ones.
web_site_write() { # FILE OUT PORT
	sed -e "s|/run/customers-fcgi/fcgi.sock|$(APP_SOCK)|g" \
		-e "s|<VirtualHost \*:80>|<VirtualHost *:$3>|" \
		-e "s|^\([[:space:]]*listen[[:space:]]\{1,\}\)80\([ ;]\)|\1127.0.0.1:$3\2|" \
		-e "s|/var/log/nginx/customers-fcgi|$STATE/nginx|g" \
		-e "s|/usr/bin/customers-fcgi|$APP_BIN|g" \
		-e "s|/etc/customers-fcgi/customers.conf|$(APP_CONF)|g" \
		-e "s|/etc/apache2/customers-fcgi-errors.conf|$SRCDIR/conf/apache2-errors.conf|" \
		"$SRCDIR/conf/$1" >"$2"
	if [ -n "$MOUNT" ]; then
		sed -i -e "s|<Location \"/\">|<Location \"$MOUNT/\">|" -e "s|location / {|location $MOUNT/ {|" "$2"
	fi
}

# mod_proxy_fcgi or mod_fcgid: a minimal apache2.conf of the test
# (tests/integration/apache2.conf.in) that includes the shipped site file.
apache_conf_write() { # PORT
	local site=apache2-proxy-fcgi.conf user
	[ "$WEB" = apache-fcgid ] && site=apache2-fcgid.conf
	user=$(web_user)
	mkdir -p "$STATE/apache-run" "$STATE/fcgid"
	[ -n "$user" ] && chown "$user" "$STATE/fcgid"
	web_site_write "$site" "$STATE/apache-site.conf" "$1"
	template_fill "$SRCDIR/tests/integration/apache2.conf.in" "$STATE/apache2.conf" "$1"
	sed -i -e "s|@USER@|${user:-$(id -un)}|g" -e "s|@GROUP@|$(id -gn "${user:-$(id -un)}")|g" \
		"$STATE/apache2.conf"
	[ "$WEB" = apache-fcgid ] || sed -i '/^LoadModule fcgid_module/d' "$STATE/apache2.conf"
	apache2 -t -f "$STATE/apache2.conf" >>"$STATE/apache.log" 2>&1 ||
		die "apache2 rejects $STATE/apache2.conf; see $STATE/apache.log"
}

apache_start() { # [PORT]
	command -v apache2 >/dev/null || die "apache2 is missing: run scripts/deps"
	web_launch apache "${1:-}" apache_conf_write apache2 -f "$STATE/apache2.conf" -DFOREGROUND
}

nginx_conf_write() { # PORT
	local user
	user=$(web_user)
	mkdir -p "$STATE/nginx-tmp"
	web_site_write nginx.conf "$STATE/nginx-site.conf" "$1"
	cp /etc/nginx/fastcgi_params "$STATE/fastcgi_params"
	template_fill "$SRCDIR/tests/integration/nginx.conf.in" "$STATE/nginx.conf" "$1"
	sed -i "s|@USER_LINE@|${user:+user $user;}|" "$STATE/nginx.conf"
	nginx -t -p "$STATE" -c "$STATE/nginx.conf" >>"$STATE/nginx.log" 2>&1 ||
		die "nginx rejects $STATE/nginx.conf; see $STATE/nginx.log"
}

nginx_start() { # [PORT]
	command -v nginx >/dev/null || die "nginx is missing: run scripts/deps"
	web_launch nginx "${1:-}" nginx_conf_write nginx -p "$STATE" -c "$STATE/nginx.conf" \
		-g 'daemon off;'
}

# ---- any of them ---------------------------------------------------------------

web_start() { # [PORT]
	case $(web_name) in
	lighttpd) lighttpd_start "$@" ;;
	apache) apache_start "$@" ;;
	nginx) nginx_start "$@" ;;
	esac
}

web_stop() {
	stop_pidfile "$STATE/$(web_name).pid" 100
}

# What the server lets through to the pool's socket and configuration when
# its handlers do not run as this user (Apache as root).
web_grant_access() {
	local user
	user=$(web_user)
	[ -n "$user" ] || return 0
	chmod 711 "$STATE"
	if web_spawns_app; then
		chown "$user" "$(APP_CONF)" "$STATE/db-password" "$STATE/jwt-secret" "$STATE/cursor-secret"
		app_bin_for "$user"
	fi
	user_reaches "$user" "$STATE" test -x "$STATE"
}

# The build may sit under a folder USER may not enter (a clone in root's
# home or in a mode-700 mktemp -d): the server would then fail to start the
# program, and the suite would see only 500s.  So USER gets its own copy in
# $STATE, which it can reach; the binary needs nothing else from the build
# tree (the libraries it links are the system's).
app_bin_for() { # USER
	mkdir -p "$STATE/bin"
	cp "$BINDIR/customers-fcgi" "$STATE/bin/customers-fcgi" ||
		die "cannot copy $BINDIR/customers-fcgi to $STATE/bin"
	chmod 755 "$STATE/bin" "$STATE/bin/customers-fcgi"
	APP_BIN=$STATE/bin/customers-fcgi
	user_reaches "$1" "$APP_BIN" test -x "$APP_BIN"
	user_reaches "$1" "$(APP_CONF)" test -r "$(APP_CONF)"
}

# Says at once, in plain words, when USER cannot reach WHAT (CHECK... run as
# USER fails): e.g. $TMPDIR under a folder only root may enter.
user_reaches() { # USER WHAT CHECK...
	local user=$1 what=$2
	shift 2
	runuser -u "$user" -- "$@" 2>/dev/null ||
		die "$user (the web server's user) cannot reach $what: every folder above it must be enterable by $user (set TMPDIR to such a folder)"
}

# ---- the whole stack ---------------------------------------------------

# Starts MariaDB, prepares the database and starts the pool and the web
# server (lighttpd unless WEB says otherwise), which may start the pool itself.
stack_start() { # [PORT]
	mariadb_start
	mariadb_app_user
	app_conf_write
	app_migrate
	web_grant_access
	web_spawns_app || app_start
	web_start "${1:-}"
}

# Front to back, so no request reaches a stopped part.  Safe to call twice.
stack_stop() {
	web_stop
	app_stop
	mariadb_stop
}

# The EXIT trap of a test runner (runner_traps installs it): stops what the
# runner started (STOP_FN, default stack_stop, and a load at $LOAD_PID),
# then keeps $STATE when anything failed or KEEP=1 and removes it otherwise.
runner_finish() {
	local rc=$?
	if [ -n "${LOAD_PID:-}" ]; then
		kill -TERM "$LOAD_PID" 2>/dev/null
	fi
	"${STOP_FN:-stack_stop}"
	if [ "$rc" != 0 ] || [ "$TAP_FAILED" != 0 ] || [ "${KEEP:-0}" = 1 ]; then
		note "logs and data kept in $STATE"
	else
		rm -rf "$STATE"
	fi
	exit "$rc"
}

runner_traps() {
	trap runner_finish EXIT
	trap 'exit 130' INT TERM
}

# Prints the sanitizer and valgrind reports, and crashed workers (the
# pool logs "killed by signal"), found in the logs; returns 1 when any.
scan_logs() {
	local f found=0
	# The servers' error logs hold the application's stderr when they start it.
	for f in "$STATE"/fcgi.log "$STATE"/admin.log "$STATE"/valgrind.*.log "$STATE"/*-error.log; do
		[ -f "$f" ] || continue
		if grep -E -q 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|killed by signal|SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer)|definitely lost: [1-9]|Invalid (read|write|free)|uninitialised|Mismatched free|ERROR SUMMARY: [1-9]' "$f"; then
			found=1
			note "sanitizer or valgrind report in $f:"
			sed -n '1,60p' "$f" | sed 's/^/#   /'
		fi
	done
	return "$found"
}

# ---- TAP ---------------------------------------------------------------

TAP_N=0
TAP_FAILED=0

# One test line; on failure the remaining arguments are diagnostics.
tap_result() { # 0|1 NAME [DIAG...]
	local pass=$1 name=$2
	shift 2
	TAP_N=$((TAP_N + 1))
	if [ "$pass" = 1 ]; then
		printf 'ok %d - %s\n' "$TAP_N" "$name"
		return 0
	fi
	TAP_FAILED=$((TAP_FAILED + 1))
	printf 'not ok %d - %s\n' "$TAP_N" "$name"
	local d
	for d in "$@"; do
		printf '#   %s\n' "$d"
	done
	return 1
}

is() { # GOT WANT NAME
	if [ "$1" = "$2" ]; then
		tap_result 1 "$3"
	else
		tap_result 0 "$3" "expected: $2" "got:      $1" "$(last_response)"
	fi
}

isnt() { # GOT UNWANTED NAME
	if [ "$1" != "$2" ]; then
		tap_result 1 "$3"
	else
		tap_result 0 "$3" "expected anything but: $2" "$(last_response)"
	fi
}

like() { # GOT ERE NAME
	if [[ $1 =~ $2 ]]; then
		tap_result 1 "$3"
	else
		tap_result 0 "$3" "expected to match: $2" "got: $1" "$(last_response)"
	fi
}

# Passes when CMD... exits 0; its output goes to stderr, away from the TAP stream.
ok() { # NAME CMD...
	local name=$1
	shift
	if "$@" >&2; then
		tap_result 1 "$name"
	else
		tap_result 0 "$name" "failed: $*" "$(last_response)"
	fi
}

tap_plan() {
	printf '1..%d\n' "$TAP_N"
}

# ---- HTTP ------------------------------------------------------------------

STATUS=
BODY=

# Sends one request through lighttpd: STATUS and BODY are set, the headers
# kept for hdr.  Extra arguments go to curl.
req() { # METHOD PATH [curl args...]
	local method=$1 path=$2
	shift 2
	STATUS=$(curl -s --max-time 30 -X "$method" -D "$STATE/last.headers" \
		-o "$STATE/last.body" -w '%{http_code}' "$@" "$BASE$path") || STATUS=000
	BODY=$(cat "$STATE/last.body")
	LAST_REQ="$method $path"
}

# The value of response header NAME (case-insensitive), without the CR.
hdr() { # NAME
	grep -i "^$1:" "$STATE/last.headers" | head -n1 | cut -d: -f2- | sed 's/^ *//' | tr -d '\r'
}

jb() { # JQ-FILTER: applied to BODY, raw output
	jq -r "$1" <<<"$BODY" 2>/dev/null
}

last_response() {
	local b=${BODY:0:400}
	printf '%s -> %s %s' "${LAST_REQ:-}" "$STATUS" "${b//$'\n'/ }"
}
