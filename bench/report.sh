# shellcheck shell=bash disable=SC2154  # T, COUNT, DEPTH, ... are set by run
# report.sh: bench/RESULTS.md from $T/summary (one line per scenario,
# service and connection level: median req/s, p50, p99, spread, errors,
# runs), the RSS samples and what bench/run recorded on the way.  Sourced
# by bench/run; report_write prints the Markdown.

NOISE_LIMIT=0.10

declare -A SUM

summary_load() {
	local s t c rest
	while read -r s t c rest; do
		SUM["$s $t $c"]=$rest
	done <"$T/summary"
}

# FIELD of SCENARIO TARGET CONNS: rps p50 p99 cv bad n; empty when not measured.
val() { # SCENARIO TARGET CONNS FIELD
	local -a f
	read -r -a f <<<"${SUM["$1 $2 $3"]:-}"
	case $4 in
	rps) echo "${f[0]:-}" ;; p50) echo "${f[1]:-}" ;; p99) echo "${f[2]:-}" ;;
	cv) echo "${f[3]:-}" ;; bad) echo "${f[4]:-}" ;; n) echo "${f[5]:-}" ;;
	esac
}

# A / B with two decimals, or empty when either is missing or B is 0.
ratio() { # A B
	[ -n "$1" ] && [ -n "$2" ] || return 0
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'
}

# Exit status of the awk comparison "X OP Y" (X empty: false).
holds() { # X OP Y
	[ -n "$1" ] || return 1
	awk -v x="$1" -v y="$3" "BEGIN { exit !(x $2 y) }"
}

scenario_title() { # SCENARIO
	case $1 in
	get_one) echo 'GET one customer (random ids)' ;;
	list_first) echo 'list, first page, no filter' ;;
	list_status) echo "list, \`$LIST_STATUS\`" ;;
	list_labels) echo "list, \`${LIST_LABELS//&/ & }\` (all-of)" ;;
	list_labels3) echo "list, 3 labels \`${LIST_LABELS3//&/ & }\`" ;;
	list_labels4) echo "list, 4 labels \`${LIST_LABELS4//&/ & }\`" ;;
	list_empty3) echo "list, \`${LIST_EMPTY3//&/ & }\` (empty answer)" ;;
	list_entity_unknown) echo "list, \`${LIST_ENTITY_UNKNOWN//&/ & } & entityId=<unknown>\`" ;;
	list_worst) echo "list, worst found: \`${LIST_WORST//&/ & }\`" ;;
	list_deep) echo "list, page $DEPTH via the cursor" ;;
	post) echo 'POST create (unique entities)' ;;
	post16) echo 'POST create, 16 labels of the pool' ;;
	patch) echo 'PATCH labels (random customers)' ;;
	patch16) echo 'PATCH 16 labels (random customers, 16 drawn afresh)' ;;
	token) echo 'POST /oauth2/token' ;;
	esac
}

# "1234 | 1.2 | 3.4" for one service, or dashes.
cells() { # SCENARIO TARGET CONNS
	local rps
	rps=$(val "$1" "$2" "$3" rps)
	if [ -z "$rps" ]; then
		printf -- '– | – | –'
		return 0
	fi
	if ! holds "$rps" '>' 0; then
		printf -- '0 | – | –'
		return 0
	fi
	printf '%.0f | %.2f | %.2f' "$rps" "$(val "$1" "$2" "$3" p50)" "$(val "$1" "$2" "$3" p99)"
}

# Noisy runs and errors of one row, for the notes column.
notes() { # SCENARIO CONNS
	local t cv bad out=()
	for t in product peer floor; do
		cv=$(val "$1" "$t" "$2" cv)
		bad=$(val "$1" "$t" "$2" bad)
		[ "$(val "$1" "$t" "$2" rps)" = 0.0 ] && out+=("$t: no request completed in most runs")
		holds "$cv" '>' "$NOISE_LIMIT" &&
			out+=("noisy $t ($(awk -v v="$cv" 'BEGIN { printf "%.0f", v * 100 }') %)")
		[ -n "$bad" ] && [ "$bad" != 0 ] && out+=("$t errors: $bad")
	done
	join '; ' "${out[@]}"
}

join() { # SEPARATOR WORDS...
	local sep=$1 first=1 w
	shift
	for w in "$@"; do
		[ "$first" = 1 ] || printf '%s' "$sep"
		printf '%s' "$w"
		first=0
	done
}

results_table() {
	local s c
	echo '| scenario | conns | product req/s | p50 ms | p99 ms | peer req/s | p50 ms | p99 ms | floor req/s | p50 ms | p99 ms | product/peer | product/floor | notes |'
	echo '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|'
	for s in $SCENARIOS; do
		for c in $CONNS; do
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(scenario_title "$s")" "$c" \
				"$(cells "$s" product "$c")" "$(cells "$s" peer "$c")" "$(cells "$s" floor "$c")" \
				"$(ratio "$(val "$s" product "$c" rps)" "$(val "$s" peer "$c" rps)")" \
				"$(ratio "$(val "$s" product "$c" rps)" "$(val "$s" floor "$c" rps)")" \
				"$(notes "$s" "$c")"
		done
	done
}

# One target line: for each connection level the figure and whether it
# holds, then "met" when it holds at every level measured.
target_line() { # TEXT OP LIMIT FIGURE-FUNCTION SCENARIO
	local text=$1 op=$2 limit=$3 fn=$4 s=$5 c x all=met parts=()
	for c in $CONNS; do
		x=$("$fn" "$s" "$c")
		if [ -z "$x" ]; then
			all='not measured'
			continue
		fi
		if holds "$x" "$op" "$limit"; then
			parts+=("c=$c: $x ✓")
		else
			parts+=("c=$c: $x ✗")
			[ "$all" = met ] && all='**not met**'
		fi
	done
	if [ ${#parts[@]} = 0 ]; then
		printf -- '- %s — not measured\n' "$text"
		return 0
	fi
	printf -- '- %s — %s (%s)\n' "$text" "$all" "$(join ', ' "${parts[@]}")"
}

# A figure per connection level without a target.
info_line() { # TEXT FIGURE-FUNCTION SCENARIO
	local c parts=()
	for c in $CONNS; do
		parts+=("c=$c: $("$2" "$3" "$c")")
	done
	printf -- '- %s — %s\n' "$1" "$(join ', ' "${parts[@]}")"
}

in_run() { [[ " $SCENARIOS " == *" $1 "* ]]; }
# The product's req/s of SCENARIO over its req/s of the 2-label first page.
vs_labels2() { ratio "$(val "$1" product "$2" rps)" "$(val list_labels product "$2" rps)"; }
vs_peer() { ratio "$(val "$1" product "$2" rps)" "$(val "$1" peer "$2" rps)"; }
vs_floor() { ratio "$(val "$1" product "$2" rps)" "$(val "$1" floor "$2" rps)"; }
p99_vs_peer() { ratio "$(val "$1" product "$2" p99)" "$(val "$1" peer "$2" p99)"; }
# Cost of page DEPTH relative to page 1: req/s of page 1 / req/s of page DEPTH.
depth_cost() { ratio "$(val list_first "$1" "$2" rps)" "$(val list_deep "$1" "$2" rps)"; }

targets_section() {
	local s
	echo "Each figure is a ratio of medians from this run, per connection level; a target is met when it holds at every level."
	echo
	if in_run get_one; then
		target_line 'GET one: product/peer req/s ≥ 2.0' '>=' 2.0 vs_peer get_one
		target_line 'GET one: product p99 / peer p99 ≤ 0.5' '<=' 0.5 p99_vs_peer get_one
		target_line 'GET one: product/floor req/s ≥ 0.85' '>=' 0.85 vs_floor get_one
	fi
	for s in list_first list_status list_labels list_labels3 list_labels4 list_deep; do
		in_run "$s" && target_line "$(scenario_title "$s"): product/peer ≥ 2.0" '>=' 2.0 vs_peer "$s"
	done
	if in_run list_first && in_run list_deep; then
		target_line "product: page $DEPTH costs ≤ 1.3× page 1 (req/s page 1 / page $DEPTH)" '<=' 1.3 depth_cost product
		target_line "peer, for comparison: page $DEPTH / page 1" '<=' 1.3 depth_cost peer
	fi
	# issue 13: no read is a denial of service, as ratios to the 2-label first page
	if in_run list_labels; then
		in_run list_empty3 && target_line "$(scenario_title list_empty3): product ≥ 0.5× its 2-label page" '>=' 0.5 vs_labels2 list_empty3
		in_run list_entity_unknown && target_line "$(scenario_title list_entity_unknown): product ≥ 0.5× its 2-label page" '>=' 0.5 vs_labels2 list_entity_unknown
		in_run list_worst && target_line "$(scenario_title list_worst): product ≥ 0.25× its 2-label page" '>=' 0.25 vs_labels2 list_worst
	fi
	for s in list_empty3 list_entity_unknown list_worst; do
		in_run "$s" && info_line "$(scenario_title "$s"): product/peer (no target of its own)" vs_peer "$s"
	done
	in_run post && target_line 'POST create: product/peer ≥ 1.5' '>=' 1.5 vs_peer post
	in_run post16 && target_line 'POST create with 16 labels: product/peer ≥ 1.5' '>=' 1.5 vs_peer post16
	in_run patch && target_line 'PATCH labels: product/peer ≥ 1.5' '>=' 1.5 vs_peer patch
	in_run patch16 && target_line 'PATCH 16 labels: product/peer ≥ 1.5' '>=' 1.5 vs_peer patch16
	echo "- Labels' storage: product/peer ≤ 2.0 — $(storage_verdict)"
	echo "- Memory: see below — $(memory_verdict)"
}

# Bytes of the labels' storage of SERVICE (all its label tables), from $T/storage.
storage_bytes() { # SERVICE
	awk -v s="$1" '$1 == s { b += $4 } END { print b + 0 }' "$T/storage"
}

storage_verdict() {
	local r
	r=$(ratio "$(storage_bytes product)" "$(storage_bytes peer)")
	[ -n "$r" ] || { echo 'not measured'; return 0; }
	if holds "$r" '<=' 2.0; then echo "met ($r ✓)"; else echo "**not met** ($r ✗)"; fi
}

storage_section() {
	local svc t rows bytes
	echo "After seeding and \`ANALYZE TABLE\`: \`data_length + index_length\` from information_schema.TABLES, rows by \`COUNT(*)\`, per customer over the $COUNT seeded ($PER_CUSTOMER labels each out of $LABELS). Seeding took ${PEER_SEED_SECONDS} s for the peer (\`node admin.js seed\`, clients included) and ${PRODUCT_SEED_SECONDS} s for the product (\`customers-admin seed\`)."
	echo
	echo '| service | table | rows | rows per customer | MiB | bytes per customer |'
	echo '|---|---|---:|---:|---:|---:|'
	while read -r svc t rows bytes; do
		awk -v s="$svc" -v t="$t" -v r="$rows" -v b="$bytes" -v n="$COUNT" \
			'BEGIN { printf "| %s | %s | %d | %.2f | %.1f | %.1f |\n", s, t, r, r / n, b / 1048576, b / n }'
	done <"$T/storage"
	for svc in product peer; do
		awk -v s="$svc" -v b="$(storage_bytes "$svc")" -v n="$COUNT" \
			'BEGIN { printf "| **%s, all label tables** | | | | %.1f | %.1f |\n", s, b / 1048576, b / n }'
	done
	echo
	echo "Ratio product/peer: **$(ratio "$(storage_bytes product)" "$(storage_bytes peer)")** (target ≤ 2.0)."
}

# "PID RSS_EARLY RSS_LATE" per worker present in the early sample.
memory_rows() {
	awk 'NR == FNR { late[$1] = $2; next } { print $1, $2, ($1 in late) ? late[$1] : "gone" }' \
		"$T/rss.late" "$T/rss.early"
}

memory_verdict() {
	local pid a b worst=0 verdict
	while read -r pid a b; do
		[ "$b" = gone ] && { echo "**not met** (worker $pid was restarted)"; return 0; }
		worst=$(awk -v a="$a" -v b="$b" -v w="$worst" 'BEGIN { g = (b - a) / a * 100; print (g > w ? g : w) }')
	done < <(memory_rows)
	verdict=met
	holds "$worst" '>' 10 && verdict='**not met**'
	printf '%s: largest growth %.1f %% between %d and %d requests' "$verdict" "$worst" \
		"$MEM_EARLY_REQUESTS" "$MEM_LATE_REQUESTS"
	if [ "$MEM_LATE_REQUESTS" -lt 1000000 ]; then
		# shellcheck disable=SC2016  # Markdown code, not a command
		printf ' (the target asks for 1,000,000; `bench/run --soak` gets there)'
	fi
}

memory_section() {
	local pid a b
	echo "RSS of each product worker (VmRSS from /proc/PID/status) after $MEM_EARLY_REQUESTS requests to the product and at the end of the run, after $MEM_LATE_REQUESTS (all scenarios$([ "$SOAK" = 0 ] || echo ", then a GET-one soak"), ${FCGI_WORKERS} workers sharing them)."
	echo
	echo '| worker pid | RSS early (KiB) | RSS end (KiB) | growth |'
	echo '|---:|---:|---:|---:|'
	while read -r pid a b; do
		if [ "$b" = gone ]; then
			echo "| $pid | $a | (restarted) | – |"
		else
			awk -v p="$pid" -v a="$a" -v b="$b" \
				'BEGIN { printf "| %s | %d | %d | %+.1f %% |\n", p, a, b, (b - a) / a * 100 }'
		fi
	done < <(memory_rows)
	echo
	echo "Verdict: $(memory_verdict)."
}

machine_section() {
	local cpu mem os
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	os=$(. /etc/os-release && echo "$PRETTY_NAME")
	cat <<-EOF
		- Machine: $(nproc) cores, ${cpu:-unknown CPU}, $mem RAM, $os, Linux $(uname -r). wrk, lighttpd, the services and MariaDB share the cores. Load average (1 min) at the start: $LOAD_START, at the end: $(load_now); anything else running on the machine biases every figure.
		- MariaDB: $(mariadbd --version | sed 's/^mariadbd *//'); one private server for both services (databases \`customers\` and \`customers_peer\`), the peer's settings: \`innodb_flush_log_at_trx_commit=1\`, buffer pool ${DB_BUFFER_POOL:-1G}, redo log 512M.
		- Product: customers-fcgi $(git -C "$SRCDIR" rev-parse --short HEAD 2>/dev/null || echo '(no git)')$(git -C "$SRCDIR" diff --quiet HEAD -- . ':!bench/RESULTS.md' 2>/dev/null || echo ' + uncommitted changes'), $FCGI_WORKERS workers, \`[list] scan_limit = $SCAN_LIMIT\` (as shipped), binaries from \`${BINDIR/#$T/<state>}\`; $(lighttpd -v 2>&1 | head -n1 | cut -d' ' -f1) with \`conf/lighttpd.conf.in\` as shipped (as \`scripts/serve\`); libfcgi $(pkg-config --modversion fcgi), Connector/C $(pkg-config --modversion libmariadb).
		- Peer: Node $(node --version), fastify $(peer_module_version fastify), mariadb $(peer_module_version mariadb), \`WORKERS=$WORKERS\`, default pool (8 connections per worker), plain HTTP.
		- Floor: \`bench/floor.c\` ($(gcc --version | head -n1), -O2), $FCGI_WORKERS processes, one connection each, no authentication, behind its own lighttpd with the same configuration as the product.
		- Load: $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2), \`-t$WORKERS\` (fewer threads than connections never), ${DURATION} s per run, $REPEATS runs per point (median reported, services interleaved), ${WARM_SECONDS} s warm-up per scenario and service, \`--timeout 10s\`. Every request carries a valid bearer token (the floor ignores it).
		- Data: $COUNT customers per service in partner \`$PARTNER\` ($LABELS labels, $PER_CUSTOMER distinct per customer, one PRIMARY ref account, statuses 70/20/7/3 %, created over the last year); the peer seeded by \`node admin.js seed\`, the product by \`customers-admin seed\`. GET one and PATCH pick random ids out of 100,000 exported from each service's own database; POST goes to partner \`$WRITE_PARTNER\`.
		- Settling: $(settle_note)
	EOF
	depth_note
}

# "get_one 3 s (22123 dirty pages, undo history 0), ..." from $T/settle.log.
settle_note() {
	echo -n "before each scenario the server writes back its dirty pages and purges its undo history,"
	echo -n " the page cleaner at full speed for the while (up to $SETTLE_SECONDS s; then the peer's settings again): "
	[ -s "$T/settle.log" ] || { echo "no scenario ran." && return; }
	awk -v dirty="$SETTLED_DIRTY" -v hist="$SETTLED_HISTORY" '{
		printf "%s%s %d s (%d dirty pages, undo history %d%s)", (NR > 1 ? ", " : ""), $1, $2, $3, $4,
			($5 > dirty || $6 > hist) ? "; not settled: " $5 " and " $6 " left" : "" } END { print "." }' \
		"$T/settle.log"
}

load_now() {
	cut -d' ' -f1 /proc/loadavg
}

peer_module_version() { # MODULE
	jq -r .version "$T/peer-src/node_modules/$1/package.json" 2>/dev/null || echo '?'
}

depth_note() {
	[[ " $SCENARIOS " == *" list_deep "* ]] || return 0
	if [ "$DEPTH" -lt "$DEPTH_WANTED" ]; then
		echo "- Depth: page $DEPTH_WANTED with limit $PAGE_LIMIT needs $((DEPTH_WANTED * PAGE_LIMIT)) customers; with $COUNT the deepest full page is **page $DEPTH**, which is measured instead (its cursor obtained by walking the pages once)."
	else
		echo "- Depth: page $DEPTH (limit $PAGE_LIMIT), its cursor obtained by walking the pages once."
	fi
}

report_write() { # bench/run's arguments
	summary_load
	cat <<-EOF
		# customers-fcgi: benchmark results

		Written by \`bench/run${*:+ $*}\` on $(date -u +%Y-%m-%dT%H:%MZ) in $((RUN_SECONDS / 60)) min $((RUN_SECONDS % 60)) s (seeding: ${SEED_SECONDS} s). Do not edit: the next run rewrites this file; see \`bench/README.md\`.

		## Setup

	EOF
	machine_section
	cat <<-EOF

		## Results

		Medians of $REPEATS runs; latencies in ms as wrk reports them. Ratios are of req/s. "noisy": the sample standard deviation of req/s over the runs exceeds $(awk -v v="$NOISE_LIMIT" 'BEGIN { print v * 100 }') % of the median. "errors": non-2xx answers plus socket errors, summed over the runs.

	EOF
	results_table
	printf '\n## Targets\n\n'
	targets_section
	if [ -s "$T/pagerows" ]; then
		printf '\n## Rows per page\n\n'
		echo "What one request of each list scenario answered, before the measurements (items; whether a cursor to go on came with them). A page may end early (contract §3, \`scan_limit\`), so the services do not always do the same work for one request."
		echo
		echo '| scenario | product items | product cursor | peer items | peer cursor |'
		echo '|---|---:|---|---:|---|'
		while read -r sc a ac b bc; do
			echo "| $(scenario_title "$sc") | $a | $ac | $b | $bc |"
		done <"$T/pagerows"
	fi
	printf "\n## Labels' storage\n\n"
	storage_section
	printf '\n## Memory\n\n'
	memory_section
	# The log of what changed and what it bought: measured once, kept by hand.
	if [ -f "$BENCH_DIR/optimisations.md" ]; then
		printf '\n'
		cat "$BENCH_DIR/optimisations.md"
	fi
}
