# shellcheck shell=bash
# tests/galera/galera-labels.sh: the partner-wide label routes (contract
# §11) on the cluster, sourced by run.sh after its own checks.  One pool
# and one lighttpd per node, each pool's only server that node, so every
# request goes to the node the test names: a rename through node 2, a
# delete through node 3, a bulk assign through node 1; afterwards the
# counts (GET through each node) and every customer's read copy, version
# and label rows (a checksum per node) agree on all three.  Then a rename
# through node 1 while PATCHes of one of its carriers arrive through nodes
# 2 and 3: the writes meet only in certification, whose loser gets 1213 at
# COMMIT and is retried (db_tx) or answers 503; never a lost update or a
# half-written state.  The rename's per-connection temporary tables
# (relabel_set, relabel_map) are not replicated: only the row events of
# the statements that read them are (binlog_format=ROW).

LBASE=()
GL_N=3000 # customers seeded, each with label-0..label-3
GL_LIVE=0 # ... of them not OFFBOARDED (the seed makes some): the ones counted

# A pool whose only database server is node I, and a lighttpd in front of it at ${LBASE[I]}.
labels_entry_on() { # I
	local conf=$STATE/labels$1.conf port
	cp "$(APP_CONF)" "$conf"
	conf_set "$conf" server listen "$STATE/labels$1.sock"
	conf_set "$conf" server workers 2
	conf_set "$conf" database hosts "127.0.0.1:$(node_sql_port "$1")"
	spawn "$STATE/labels$1.pid" "$STATE/labels$1.log" "$BINDIR/customers-fcgi" -c "$conf"
	wait_until 300 test -S "$STATE/labels$1.sock" || die "labels: no pool on node $1"
	port=$(free_port) || die "labels: no free port"
	sed -e "s|$(APP_SOCK)|$STATE/labels$1.sock|" -e "s|^server.port = .*|server.port = $port|" \
		-e "s|lighttpd-error.log|lighttpd-labels$1-error.log|" "$STATE/lighttpd.conf" \
		>"$STATE/lighttpd-labels$1.conf"
	spawn "$STATE/lighttpd-labels$1.pid" "$STATE/lighttpd-labels$1.log" \
		lighttpd -D -f "$STATE/lighttpd-labels$1.conf"
	LBASE[$1]=http://127.0.0.1:$port
	wait_until 150 curl -s -o /dev/null --max-time 2 "${LBASE[$1]}/healthz" ||
		die "labels: no lighttpd for node $1"
}

# A request through node I: its status on stdout, its body in $GL_BODY ($STATE/gl.body).
gl_req() { # I METHOD PATH [BODY]
	curl -s --max-time 60 -o "${GL_BODY:-$STATE/gl.body}" -w '%{http_code}' -X "$2" -H "Authorization: Bearer $GL_TOK" \
		-H 'Content-Type: application/json' -H "Requestor-ID: $(cat /proc/sys/kernel/random/uuid)" \
		${4:+-d "$4"} "${LBASE[$1]}$3"
}

# The label page through node I, as "label=count ..." in byte order.
gl_counts() { # I
	curl -s --max-time 10 -H "Authorization: Bearer $GL_TOK" "${LBASE[$1]}/roles/customer-labels" |
		jq -r 'map("\(.label)=\(.customersCount)") | join(" ")'
}

# Node I's partner state: the customers' read copies and versions, their label rows and the counts.
gl_state() { # I
	galera_sql "$1" "SET SESSION wsrep_sync_wait = 1; SET SESSION group_concat_max_len = 1 << 30; USE $DB_NAME;
		SELECT MD5(GROUP_CONCAT(HEX(c.id), ':', HEX(c.labels_text), ':', c.version ORDER BY c.id)),
		       (SELECT MD5(GROUP_CONCAT(HEX(l.customer_id), ':', l.label_id ORDER BY l.customer_id, l.label_id))
		        FROM customer_labels l JOIN partner_labels d ON d.label_id = l.label_id WHERE d.partner_id = p.id),
		       (SELECT MD5(GROUP_CONCAT(k.label_id, ':', k.shard, ':', k.n ORDER BY k.label_id, k.shard))
		        FROM partner_label_counts k JOIN partner_labels d ON d.label_id = k.label_id WHERE d.partner_id = p.id)
		FROM partners p JOIN customers c ON c.partner_id = p.id WHERE p.name = 'glabels' GROUP BY p.id" | tr '\t' ' '
}

# Every node's page and state alike, and equal to WANT; MSG names the step.
gl_agree() { # WANT MSG
	local i pages=() states=()
	for i in 1 2 3; do
		pages+=("$(gl_counts "$i")")
		states+=("$(gl_state "$i")")
	done
	is "$(printf '%s\n' "${pages[@]}" | sort -u)" "$1" "galera labels: $2: the page through every node"
	is "$(printf '%s\n' "${states[@]}" | sort -u | wc -l)" 1 \
		"galera labels: $2: read copies, versions, label rows and counts alike on 3 nodes"
	is "$(galera_sql "$((RANDOM % 3 + 1))" "SET SESSION wsrep_sync_wait = 1; USE $DB_NAME; $LABELS_MISMATCH_SQL")" 0 \
		"galera labels: $2: the store agrees with itself"
}

# PATCHes customer ID through node I, N times, each with labels [label-2, p-I-k]: statuses to OUT.
gl_patches() { # I ID N OUT
	local k GL_BODY=$4.cur
	for ((k = 1; k <= $3; k++)); do
		gl_req "$1" PATCH "/roles/customers/$2" "{\"labels\":[\"label-2\",\"p-$1-$k\"]}"
		echo
		[ ! -s "$GL_BODY" ] || cp "$GL_BODY" "$4.body.$k"
	done >"$4"
}

# The labels_after of customer ID's labels audit records (read on node 3), oldest first by id.
gl_audits() { # ID
	galera_sql 3 "SET SESSION wsrep_sync_wait = 1; SELECT labels_after FROM $DB_NAME.customer_audit
		WHERE customer_id = UNHEX(REPLACE('$1', '-', '')) AND action = 'labels' ORDER BY id"
}

# The page after the concurrent step, the PATCHed customer holding FINAL (its JSON).
gl_want() { # FINAL
	local n1=$((GL_LIVE - 1))
	{
		printf '%s\n' "bulk=999" "g/é 0=$n1" "label-3=$n1" "$(jq -r '.[1]' <<<"$1")=1"
		if grep -q label-2b <<<"$1"; then echo "label-2b=$GL_LIVE"; else printf '%s\n' label-2=1 "label-2b=$n1"; fi
	} | LC_ALL=C sort | paste -sd' '
}

galera_labels() {
	local i ids x st saved=${TOKEN:-} final audits n202 before
	note "labels: a pool and a lighttpd per node; $GL_N customers with 4 labels each"
	for i in 1 2 3; do labels_entry_on "$i"; done
	admin seed --partner glabels --count "$GL_N" --labels 4 --per-customer 4 --seed 7 \
		>>"$STATE/admin.log" 2>&1 || die "labels: seed failed; see $STATE/admin.log"
	make_token glabels
	GL_TOK=$TOKEN
	TOKEN=$saved
	GL_LIVE=$(galera_sql 1 "SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM $DB_NAME.customers c
		JOIN $DB_NAME.partners p ON p.id = c.partner_id WHERE p.name = 'glabels' AND c.status <> 'OFFBOARDED'")
	gl_agree "label-0=$GL_LIVE label-1=$GL_LIVE label-2=$GL_LIVE label-3=$GL_LIVE" 'seeded'

	is "$(gl_req 2 PATCH /roles/customer-labels/label-0 '{"name":"g/é 0"}')" 202 \
		'galera labels: rename of a label on 3000 customers through node 2'
	is "$(gl_req 3 DELETE /roles/customer-labels/label-1)" 202 'galera labels: delete through node 3'
	ids=$(galera_sql 1 "SET SESSION wsrep_sync_wait = 1; SELECT LOWER(INSERT(INSERT(INSERT(INSERT(HEX(c.id), 9, 0, '-'), 14, 0, '-'), 19, 0, '-'), 24, 0, '-'))
		FROM $DB_NAME.customers c JOIN $DB_NAME.partners p ON p.id = c.partner_id WHERE p.name = 'glabels' AND c.status <> 'OFFBOARDED' ORDER BY c.id DESC LIMIT 1000" |
		jq -Rsc 'split("\n")[:-1]')
	is "$(gl_req 1 PATCH /roles/customer-labels/bulk/customers "$ids")" 202 'galera labels: bulk assign of 1000 ids through node 1'
	gl_agree "bulk=1000 g/é 0=$GL_LIVE label-2=$GL_LIVE label-3=$GL_LIVE" 'after rename, delete and assign on 3 nodes'

	# A carrier of label-2, PATCHed through nodes 2 and 3 while node 1 renames label-2.
	x=$(jq -r '.[0]' <<<"$ids")
	before=$(gl_audits "$x" | grep -c .)
	gl_patches 2 "$x" 15 "$STATE/gl.p2" &
	local p2=$!
	gl_patches 3 "$x" 15 "$STATE/gl.p3" &
	local p3=$!
	sleep 0.05
	st=$(gl_req 1 PATCH /roles/customer-labels/label-2 '{"name":"label-2b"}')
	wait "$p2" "$p3"
	note "labels: rename during PATCHes: $st; PATCHes: $(cat "$STATE/gl.p2" "$STATE/gl.p3" | sort | uniq -c | awk '{print $2 "x" $1}' | xargs); 1213 in the node pools' logs: $(cat "$STATE"/labels[123].log | grep -c '(1213)')"
	is "$(cat "$STATE/gl.p2" "$STATE/gl.p3" | grep -vcE '^(202|503)$')" 0 \
		'galera labels: PATCHes during a rename on another node: only 202 or 503'
	ok 'galera labels: ... each 503 in the error envelope' \
		bash -c "! ls '$STATE'/gl.p[23].body.* >/dev/null 2>&1 || jq -se 'all(.[]; .errorCode == \"SERVICE_UNAVAILABLE\" or (.errorCode | type) == \"string\")' '$STATE'/gl.p[23].body.* >/dev/null"
	like "$st" '^(202|503)$' 'galera labels: the rename answers 202 or 503'
	if [ "$st" = 503 ]; then
		# Certification lost DEADLOCK_RETRIES times in a row (db.c): rolled back whole.
		is "$(jq -r .errorCode "$STATE/gl.body")" SERVICE_UNAVAILABLE 'galera labels: ... its 503 in the error envelope'
		for i in 1 2 3; do
			is "$(gl_counts "$i" | grep -o 'label-2b\?=[0-9]*' | xargs)" "label-2=$GL_LIVE" \
				"galera labels: ... and nothing of it written (node $i)"
		done
		is "$(gl_req 1 PATCH /roles/customer-labels/label-2 '{"name":"label-2b"}')" 202 'galera labels: the rename again, alone'
	fi
	final=$(curl -s --max-time 10 -H "Authorization: Bearer $GL_TOK" "${LBASE[2]}/roles/customers/$x" | jq -c .labels)
	like "$final" '^\["label-2b?","p-[23]-[0-9]+"\]$' \
		"galera labels: the PATCHed customer holds $final: the last PATCH, renamed or not (nothing lost, no mix)"
	audits=$(gl_audits "$x" | tail -n +$((before + 1)))
	n202=$(cat "$STATE/gl.p2" "$STATE/gl.p3" | grep -c '^202$')
	ok "galera labels: ... one of its audit records says so" grep -qxF "$final" <<<"$audits"
	like "$(grep -c . <<<"$audits")" "^($n202|$((n202 + 1)))\$" \
		"galera labels: ... one audit record per 202 PATCH (and one if the rename changed it)"
	gl_agree "$(gl_want "$final")" 'after a rename during PATCHes on 3 nodes'
	for i in 1 2 3; do
		stop_pidfile "$STATE/lighttpd-labels$i.pid" 100
		stop_pidfile "$STATE/labels$i.pid" 300
	done
}
