# shellcheck shell=bash disable=SC2034  # the settings below are read by run and report.sh
# lib.sh: the parts of bench/run that start the three services, seed them,
# drive wrk and sum up.  Sourced by bench/run after
# tests/integration/lib.sh, whose stack helpers (spawn, stop_pidfile,
# app_*, lighttpd_*, admin, db_query) it reuses with $STATE pointing at the
# part being started.
#
# Layout of the bench state directory $T:
#   $T/                MariaDB (db/, mariadb.sock) and the product (customers.conf,
#                      fcgi.sock, lighttpd.conf, logs): tests/integration/lib.sh's $STATE
#   $T/floor/          the floor responder and its own lighttpd (same template)
#   $T/peer/           the peer's PEER_STATE (env, pid file, log); its code in $T/peer-src
#   $T/wrk/            every wrk output; $T/runs.tsv one line per measured run

PARTNER=bench
WRITE_PARTNER=bench-writes
LABELS=${LABELS:-50}
PER_CUSTOMER=${PER_CUSTOMER:-3}
# [list] scan_limit of the product as shipped (conf/customers.conf): the
# integration tests' configuration, which bench reuses, sets the lowest
# allowed (100) so that their few customers cut pages, and would cut the
# benchmark's sparse pages a hundred times earlier than in production.
SCAN_LIMIT=${SCAN_LIMIT:-10000}
LIST_LABELS='labels=label-03&labels=label-17'
LIST_LABELS3="$LIST_LABELS&labels=label-29"
LIST_LABELS4="$LIST_LABELS3&labels=label-41"
LIST_EMPTY3="$LIST_LABELS&labels=zz-none"
# entityId: a uuid nobody has, new for every run (set by bench/run)
LIST_ENTITY_UNKNOWN="$LIST_LABELS" # + &entityId=
# The worst filter for the product that bench/worst-search.sh found at 16
# labels of 64 (bench/README.md): three labels and the rarest status, so
# that the page is cut by scan_limit and made again over 10,000 candidates.
LIST_WORST=${LIST_WORST:-'labels=label-03&labels=label-17&labels=label-29&customerStatus=OFFBOARDED'}
LIST_STATUS='customerStatus=OFFBOARDED'
PAGE_LIMIT=20
DEPTH_WANTED=10000

declare -A ROOT TOKEN WTOKEN BASIC WBASIC IDS CURSOR
PRODUCT_REQUESTS=0

# ---- MariaDB, with the peer's server settings ---------------------------

# One server for both services (two databases), started like the peer's
# run.sh starts its own: durable commits, 1 GiB buffer pool, 512 MiB redo log.
bench_mariadb_start() {
	DB_BUFFER_POOL=${DB_BUFFER_POOL:-1G} mariadb_start --innodb-log-file-size=512M \
		--innodb-flush-log-at-trx-commit=1
}

# The server's own background work, left by what ran before: dirty pages
# to write back and undo history to purge.  "DIRTY HISTORY".
db_backlog() {
	db_query "SELECT MAX(IF(VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY', VARIABLE_VALUE, 0)),
		MAX(IF(VARIABLE_NAME = 'INNODB_HISTORY_LIST_LENGTH', VARIABLE_VALUE, 0))
		FROM information_schema.GLOBAL_STATUS
		WHERE VARIABLE_NAME IN ('INNODB_BUFFER_POOL_PAGES_DIRTY', 'INNODB_HISTORY_LIST_LENGTH')"
}

# Settled: at most this much backlog left; the wait gives up after SETTLE_SECONDS.
SETTLED_DIRTY=16
SETTLED_HISTORY=64
SETTLE_SECONDS=120

# Lets the server finish that work before a scenario is measured, so the
# scenario does not pay for the one before it (GET one, measured right
# after the writes of the memory mix, had its p99 raised by half that way,
# the product's and the floor's alike).  The page cleaner is told to write
# everything back at full speed for the while; purge runs by itself.
# Appends "LABEL SECONDS DIRTY HISTORY DIRTY_LEFT HISTORY_LEFT" to
# $T/settle.log (report.sh).
db_settle() { # LABEL
	local t0=$SECONDS before dirty hist
	# first the statements a scenario left running (a service that gave up
	# on a request does not stop its statement): up to SETTLE_SECONDS
	while [ "$(db_query "SELECT COUNT(*) FROM information_schema.PROCESSLIST
		WHERE COMMAND = 'Query' AND ID <> CONNECTION_ID()")" != 0 ] &&
		[ $((SECONDS - t0)) -lt "$SETTLE_SECONDS" ]; do
		sleep 0.2
	done
	before=$(db_backlog) || die "cannot read the server's backlog"
	db_query "SET GLOBAL innodb_io_capacity_max = 100000, innodb_io_capacity = 50000,
		innodb_max_dirty_pages_pct = 0" || die "cannot speed up the page cleaner"
	while read -r dirty hist < <(db_backlog) && [ $((SECONDS - t0)) -lt "$SETTLE_SECONDS" ]; do
		[ "$dirty" -le "$SETTLED_DIRTY" ] && [ "$hist" -le "$SETTLED_HISTORY" ] && break
		sleep 0.1
	done
	db_query "SET GLOBAL innodb_max_dirty_pages_pct = DEFAULT, innodb_io_capacity = DEFAULT,
		innodb_io_capacity_max = DEFAULT" || die "cannot restore the page cleaner's settings"
	echo "$1 $((SECONDS - t0)) $before ${dirty:-?} ${hist:-?}" | tr '\t' ' ' >>"$T/settle.log"
}

# ---- the product ----------------------------------------------------------

# Uses BINDIR when given, else binaries built in the tree, else builds a
# copy of the tree under $T/build (autoreconf, configure, make).
product_build() {
	local b
	for b in "${BINDIR:-}" "$SRCDIR/src" "$SRCDIR/build/src"; do
		if [ -n "$b" ] && [ -x "$b/customers-fcgi" ] && [ -x "$b/customers-admin" ]; then
			BINDIR=$b
			return 0
		fi
	done
	note "building customers-fcgi in $T/build (log: $T/build.log)"
	mkdir -p "$T/build"
	tar -C "$SRCDIR" --exclude=.git --exclude=build --exclude=var --exclude=node_modules \
		-cf - . | tar -C "$T/build" -xf -
	# --disable-werror: a new compiler's warning must not stop a benchmark;
	# the code built is the same.
	(cd "$T/build" && autoreconf -fi && ./configure --disable-werror && make -j"$(nproc)" \
		src/customers-fcgi src/customers-admin) >"$T/build.log" 2>&1 ||
		die "cannot build the product; see $T/build.log"
	BINDIR=$T/build/src
}

# The product as scripts/serve starts it: the same lib.sh functions, the
# shipped lighttpd template and worker count unless --workers says otherwise.
# FCGI_WORKERS becomes the pool's size as its master logs it (the floor gets
# as many).
product_start() {
	local WORKERS=$FCGI_WORKERS # read by app_conf_write
	mariadb_app_user
	app_conf_write
	grep -qx "scan_limit = $SCAN_LIMIT" "$(APP_CONF)" || die "cannot set scan_limit in $(APP_CONF)"
	app_migrate
	app_start
	lighttpd_start
	ROOT[product]=$BASE
	FCGI_WORKERS=$(sed -n 's/.*master [0-9]*: \([0-9]*\) workers.*/\1/p' "$STATE/fcgi.log" | tail -n1)
	is_uint "$FCGI_WORKERS" || die "no pool size in $STATE/fcgi.log"
}

# Seeds partner $PARTNER with customers-admin seed (the peer's distribution).
product_seed() {
	admin seed --partner "$PARTNER" --count "$COUNT" --labels "$LABELS" \
		--per-customer "$PER_CUSTOMER" --seed 1 >>"$STATE/admin.log" 2>&1 ||
		die "customers-admin seed failed; see $STATE/admin.log"
}

# Adds a client of PARTNER; prints the Basic credentials (base64 of id:secret).
product_client() { # PARTNER
	admin client add --partner "$1" 2>>"$STATE/admin.log" |
		jq -rj '.client_id + ":" + .client_secret' | base64 -w0
}

# The pool's workers: the children of the master process.
product_workers() {
	local master
	master=$(cat "$STATE/fcgi.pid")
	cat /proc/"$master"/task/*/children 2>/dev/null | tr ' ' '\n' | grep .
}

# "PID RSS_KB" for each worker, from /proc/PID/status.
rss_sample() {
	local pid
	for pid in $(product_workers); do
		printf '%s %s\n' "$pid" "$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
	done
}

# ---- the peer -------------------------------------------------------------

# A writable copy of the peer, started on our MariaDB with one worker per
# core and its default pool, through its own run.sh.
peer_start() {
	local port
	rm -rf "$T/peer-src"
	cp -r "$PEER_SRC" "$T/peer-src"
	chmod -R u+w "$T/peer-src"
	rm -rf "$T/peer-src/node_modules"
	port=$(free_port) || die "no free port"
	PEER_STATE=$T/peer DB_SOCKET=$(DB_SOCK) DB_USER=root DB_PASSWORD='' WORKERS=$WORKERS \
		PORT=$port "$T/peer-src/run.sh" >"$T/peer-run.log" 2>&1 ||
		die "the peer did not start; see $T/peer-run.log and $T/peer/server.log"
	ROOT[peer]=http://127.0.0.1:$port
}

peer_stop() {
	[ -x "$T/peer-src/run.sh" ] && PEER_STATE=$T/peer "$T/peer-src/run.sh" --stop >/dev/null 2>&1
	return 0
}

peer_admin() { # admin.js arguments...
	(
		# shellcheck disable=SC1091
		. "$T/peer/env"
		cd "$T/peer-src" && node admin.js "$@"
	)
}

peer_client() { # PARTNER
	peer_admin client-add --partner "$1" 2>>"$T/peer-admin.log" |
		jq -rj '.client_id + ":" + .client_secret' | base64 -w0
}

peer_seed() {
	peer_admin seed --partner "$PARTNER" --count "$COUNT" --labels "$LABELS" \
		--per-customer "$PER_CUSTOMER" >>"$T/peer-admin.log" 2>&1 ||
		die "the peer's seed failed; see $T/peer-admin.log"
}

# ---- the floor ------------------------------------------------------------

floor_build() {
	mkdir -p "$T/bin"
	# shellcheck disable=SC2046  # pkg-config prints several words on purpose
	gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra $(pkg-config --cflags fcgi libmariadb) \
		"$BENCH_DIR/floor.c" -o "$T/bin/floor" $(pkg-config --libs fcgi libmariadb) \
		>"$T/floor-build.log" 2>&1 || die "cannot build bench/floor.c; see $T/floor-build.log"
}

floor_socket_or_dead() {
	[ -S "$STATE/fcgi.sock" ] || ! pid_alive "$STATE/fcgi.pid"
}

# The floor on $T/floor/fcgi.sock (the product's database, partner $PARTNER)
# behind its own lighttpd made from the same template.
floor_start() {
	local partner_id pw
	partner_id=$(db_query "SELECT id FROM partners WHERE name = '$PARTNER'")
	pw=$(cat "$STATE/db-password")
	local STATE=$T/floor
	mkdir -p "$STATE"
	spawn "$STATE/fcgi.pid" "$STATE/fcgi.log" env FLOOR_DB_PASSWORD="$pw" "$T/bin/floor" \
		-l "$STATE/fcgi.sock" -w "$FCGI_WORKERS" -S "$T/mariadb.sock" -u "$DB_USER" \
		-d "$DB_NAME" -P "$partner_id"
	wait_until 100 floor_socket_or_dead
	[ -S "$STATE/fcgi.sock" ] || die "the floor did not listen; see $STATE/fcgi.log"
	lighttpd_start
	ROOT[floor]=$BASE
}

floor_stop() {
	local STATE=$T/floor
	lighttpd_stop
	stop_pidfile "$STATE/fcgi.pid" 100
}

# ---- data for the scripts -------------------------------------------------

# Up to 100,000 random ids of partner $PARTNER in DB, canonical text, one a line.
# Live customers only: an OFFBOARDED one is read-only in the product (contract
# §12, PATCH 409) but not in the Part I peer, which would make 3 % of the
# product's PATCHes errors that the peer does not have.
export_ids() { # DB FILE
	mariadb_root -B -N -D "$1" -e "SELECT LOWER(CONCAT_WS('-', LEFT(h, 8), SUBSTR(h, 9, 4),
		  SUBSTR(h, 13, 4), SUBSTR(h, 17, 4), RIGHT(h, 12)))
		FROM (SELECT HEX(id) AS h FROM customers
		      WHERE partner_id = (SELECT id FROM partners WHERE name = '$PARTNER')
		        AND status <> 'OFFBOARDED'
		      ORDER BY RAND() LIMIT 100000) AS sample" >"$2" ||
		die "cannot export the ids of $1"
	[ -s "$2" ] || die "no customers in $1"
}

analyze() { # DB TABLE...
	local db=$1
	shift
	mariadb_root -D "$db" -e "ANALYZE TABLE $(join ', ' "$@")" \
		>/dev/null || die "ANALYZE TABLE failed in $db"
}

# The labels' storage of each service after ANALYZE, from information_schema
# (data_length + index_length): "SERVICE TABLE ROWS BYTES" per table, the
# product's customer_labels, partner_labels and partner_label_counts, the
# peer's customer_labels.  ROWS is exact (COUNT(*)).
labels_storage() {
	local db t svc
	for svc in product peer; do
		db=customers && [ "$svc" = peer ] && db=customers_peer
		for t in customer_labels partner_labels partner_label_counts; do
			[ "$svc" = peer ] && [ "$t" != customer_labels ] && continue
			mariadb_root -B -N -e "SELECT '$svc', '$t', (SELECT COUNT(*) FROM \`$db\`.\`$t\`),
				data_length + index_length FROM information_schema.TABLES
				WHERE table_schema = '$db' AND table_name = '$t'" ||
				die "cannot read the size of $db.$t"
		done
	done | tr '\t' ' '
}

# A fresh access token for the client whose Basic credentials are given.
token_for() { # ROOT_URL BASIC
	curl -fsS -H "Authorization: Basic $2" -d grant_type=client_credentials "$1/oauth2/token" |
		jq -re .access_token
}

# token_for, tried for up to a minute: after a scenario that outlasts a
# service's own timeouts (the peer answers 503 when its pool stays busy
# for 3 s), the statements it left running must end first.
token_retry() { # ROOT_URL BASIC
	local i
	for i in $(seq 60); do
		token_for "$1" "$2" 2>/dev/null && return 0
		sleep 1
	done
	token_for "$1" "$2"
}

tokens_refresh() {
	local t
	for t in product peer; do
		TOKEN[$t]=$(token_retry "${ROOT[$t]}" "${BASIC[$t]}") || die "no token from the $t"
		WTOKEN[$t]=$(token_retry "${ROOT[$t]}" "${WBASIC[$t]}") || die "no token from the $t"
	done
	TOKEN[floor]=${TOKEN[product]}
}

# ---- wrk ------------------------------------------------------------------

# "RPS P50_MS P99_MS REQUESTS NON2XX SOCKET_ERRORS" from one wrk --latency output.
wrk_parse() { # FILE
	awk 'function ms(v) {
		if (v ~ /us$/) return v / 1000
		if (v ~ /ms$/) return v + 0
		if (v ~ /m$/) return v * 60000
		return v * 1000
	}
	/Requests\/sec:/ { rps = $2 }
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/ requests in / { n = $1 }
	/Non-2xx or 3xx responses:/ { bad = $NF }
	/Socket errors:/ { gsub(",", ""); err = $4 + $6 + $8 + $10 }
	END { printf "%.1f %.3f %.3f %d %d %d\n", rps, p50, p99, n, bad, err }' "$1"
}

# The URL, script, Authorization and script arguments of SCENARIO for TARGET.
scenario_request() { # SCENARIO TARGET SALT
	local b=${ROOT[$2]}
	SCRIPT='' ARGS=() AUTH="Bearer ${TOKEN[$2]}"
	case $1 in
	get_one) URL=$b/roles/customers/ SCRIPT=get.lua ARGS=("${IDS[$2]}") ;;
	list_first) URL=$b/roles/customers ;;
	list_status) URL="$b/roles/customers?$LIST_STATUS" ;;
	list_labels) URL="$b/roles/customers?$LIST_LABELS" ;;
	list_labels3) URL="$b/roles/customers?$LIST_LABELS3" ;;
	list_labels4) URL="$b/roles/customers?$LIST_LABELS4" ;;
	list_empty3) URL="$b/roles/customers?$LIST_EMPTY3" ;;
	list_entity_unknown) URL="$b/roles/customers?$LIST_ENTITY_UNKNOWN&entityId=$UNKNOWN_ENTITY" ;;
	list_worst) URL="$b/roles/customers?$LIST_WORST" ;;
	list_deep) URL="$b/roles/customers?cursor=${CURSOR[$2]}" ;;
	post) URL=$b/roles/customers SCRIPT=create.lua ARGS=("$3") AUTH="Bearer ${WTOKEN[$2]}" ;;
	post16)
		URL=$b/roles/customers SCRIPT=create.lua ARGS=("$3" "$LABELS" 16)
		AUTH="Bearer ${WTOKEN[$2]}" ;;
	patch) URL=$b/roles/customers/ SCRIPT=patch.lua ARGS=("${IDS[$2]}" "$LABELS" 2) ;;
	patch16) URL=$b/roles/customers/ SCRIPT=patch.lua ARGS=("${IDS[$2]}" "$LABELS" 16) ;;
	token) URL=$b/oauth2/token SCRIPT=token.lua AUTH="Basic ${BASIC[$2]}" ;;
	*) die "unknown scenario $1" ;;
	esac
}

# "SCENARIO ITEMS CURSOR ITEMS CURSOR" (product, peer) for each list
# scenario of SCENARIOS: what one request answers.
page_rows() {
	local s t out
	for s in $SCENARIOS; do
		[[ $s != list_* ]] || [ "$s" = list_deep ] && continue
		out=$s
		for t in product peer; do
			scenario_request "$s" "$t" 0
			out+=" $(curl -fsS -H "Authorization: $AUTH" "$URL" |
				jq -r '"\(.data | length) \(if .pagination.cursor then "yes" else "no" end)"' 2>/dev/null ||
				echo '? ?')"
		done
		echo "$out"
	done
}

WRK_SALT=0

# One wrk run; REP "warm" is not recorded.  Requests sent to the product
# are counted for the memory figures.
bench_wrk() { # SCENARIO TARGET CONNS REP SECONDS
	local out=$T/wrk/$1.$2.$3.$4.txt threads=$WORKERS fields
	WRK_SALT=$((WRK_SALT + 1))
	scenario_request "$1" "$2" "$WRK_SALT"
	[ "$3" -lt "$threads" ] && threads=$3
	wrk -t"$threads" -c"$3" -d"$5s" --timeout 10s --latency -H "Authorization: $AUTH" \
		${SCRIPT:+-s "$BENCH_DIR/$SCRIPT"} "$URL" ${ARGS[@]+-- "${ARGS[@]}"} >"$out" 2>&1 ||
		die "wrk failed; see $out"
	fields=$(wrk_parse "$out")
	[ "$2" = product ] && PRODUCT_REQUESTS=$((PRODUCT_REQUESTS + $(cut -d' ' -f4 <<<"$fields")))
	[ "$4" = warm ] || printf '%s %s %s %s %s\n' "$1" "$2" "$3" "$4" "$fields" >>"$T/runs.tsv"
	printf '  %-12s %-8s c=%-4s %-5s %s\n' "$1" "$2" "$3" "$4" "$fields" >&2
}

# Per SCENARIO TARGET CONNS: the medians of req/s, p50 and p99, the spread
# of req/s (sample stdev / median), the non-2xx and socket errors, the runs.
summarize() { # < runs.tsv > summary
	sort -k1,1 -k2,2 -k3,3n -k4,4 | awk '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function flush(   m, s, i, mean) {
		if (n == 0) return
		m = median(r, n)
		for (i = 1; i <= n; i++) mean += rr[i] / n
		for (i = 1; i <= n; i++) s += (rr[i] - mean) ^ 2
		s = n > 1 ? sqrt(s / (n - 1)) : 0
		printf "%s %.1f %.3f %.3f %.3f %d %d\n", key, m, median(p, n), median(q, n),
			(m > 0 ? s / m : 0), bad, n
		n = 0; bad = 0
	}
	{ k = $1 " " $2 " " $3; if (k != key) { flush(); key = k }
	  n++; r[n] = $5; rr[n] = $5; p[n] = $6; q[n] = $7; bad += $9 + $10 }
	END { flush() }'
}
