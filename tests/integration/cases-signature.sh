# shellcheck shell=bash
# cases-signature.sh: the label signature (sql/010) and the list plan that
# walks it, sourced by cases.sh ([list] scan_limit = 100 in the tests'
# configuration).  Uses cases.sh's helpers (create, walk, walked, ids) and
# cases-labels-api.sh's (labels_partner, lcreate, lpatch, lrename, ldelete,
# store_consistent).
#
# The partner has more than 64 labels, so two of them share a signature
# bit: A and B below.  150 customers carry A, whose entries pass the
# signature test of a filter on B and fail only its exact probe.

# The two names of the partner whose label ids share a bit (ids & 63), "A B".
sig_collision() {
	db_query "SELECT a.name, b.name FROM partner_labels a JOIN partner_labels b
		ON b.partner_id = a.partner_id AND b.label_id > a.label_id
		AND (b.label_id & 63) = (a.label_id & 63)
		WHERE a.partner_id = (SELECT id FROM partners WHERE name = 'signature')
		ORDER BY a.label_id LIMIT 1" | tr '\t' ' '
}

# 80 labels on 5 customers, then 150 customers with A, 9 of them (and the
# one of the first 5 that has it) with B too and 3 with R: SIG_B and SIG_R
# their ids, newest first.
sig_setup() {
	local i j names labels
	labels_partner signature
	for i in 0 1 2 3 4; do
		names=()
		for j in $(seq $((i * 16)) $((i * 16 + 15))); do names+=("\"s$j\""); done
		lcreate "[$(
			IFS=,
			echo "${names[*]}"
		)]"
		[ -n "$NEW_ID" ] || die "signature setup: $(last_response)"
	done
	read -r SIG_A SIG_B <<<"$(sig_collision)"
	[ -n "$SIG_B" ] || die "signature setup: no two labels share a bit"
	SIG_B_IDS=("$(db_query "SELECT LOWER(CONCAT_WS('-', HEX(SUBSTR(c.id, 1, 4)),
		HEX(SUBSTR(c.id, 5, 2)), HEX(SUBSTR(c.id, 7, 2)), HEX(SUBSTR(c.id, 9, 2)),
		HEX(SUBSTR(c.id, 11)))) FROM customers c JOIN customer_labels l ON l.customer_id = c.id
		JOIN partner_labels d ON d.label_id = l.label_id AND d.name = '$SIG_B'
		WHERE d.partner_id = c.partner_id")")
	SIG_R=()
	for i in $(seq 0 149); do
		labels="[\"$SIG_A\"]"
		case $i in 7 | 30 | 31 | 64 | 90 | 111 | 130 | 140 | 149) labels="[\"$SIG_A\",\"$SIG_B\"]" ;; esac
		case $i in 1 | 2 | 3) labels="[\"$SIG_A\",\"r\"]" ;; esac
		lcreate "$labels"
		[ -n "$NEW_ID" ] || die "signature setup: create $i: $(last_response)"
		case $labels in *"$SIG_B"*) SIG_B_IDS=("$NEW_ID" "${SIG_B_IDS[@]}") ;; esac
		case $labels in *'"r"'*) SIG_R=("$NEW_ID" "${SIG_R[@]}") ;; esac
	done
}

cases_signature() {
	sig_setup
	store_consistent 'signature: the signatures of created customers are their labels'
	WALK_SHORT_OK=1 walk "$LT" "limit=4&labels=$SIG_B"
	is "$WALK_OK $(walked)" "1 ${SIG_B_IDS[*]}" \
		'signature: a label sharing its bit with a dense one walks to every match once, in order'
	ok "signature: ... its pages were cut short, with a cursor ($SHORT)" test "$SHORT" -gt 0
	WALK_SHORT_OK=1 walk "$LT" "limit=4&labels=$SIG_B&labels=$SIG_A&customerType=NATURAL_PERSON"
	is "$WALK_OK $(walked)" "1 ${SIG_B_IDS[*]:0:9}" \
		'signature: with a further label and the type key, every match once, in order'
	req GET "/roles/customers?labels=r" -H "$(bearer "$LT")"
	is "$STATUS $(ids | joined) $(jb .pagination.cursor)" "200 ${SIG_R[*]} null" \
		'signature: a rare label drives by its own range: one page, no cursor'
	lpatch "${SIG_B_IDS[0]}" "{\"labels\":[\"$SIG_A\"]}"
	expect 202 'signature: PATCH'
	store_consistent 'signature: ... keeps the signature'
	lrename "$SIG_B" '{"name":"b-renamed"}'
	expect 202 'signature: rename'
	store_consistent 'signature: ... keeps the signatures'
	WALK_SHORT_OK=1 walk "$LT" "limit=4&labels=b-renamed"
	is "$WALK_OK $(walked)" "1 ${SIG_B_IDS[*]:1}" 'signature: the renamed label walks to its carriers'
	ldelete r
	expect 202 'signature: delete'
	store_consistent 'signature: ... keeps the signatures'
	lassign b-renamed "[\"${SIG_R[0]}\"]"
	expect 202 'signature: bulk assign'
	store_consistent 'signature: ... keeps the signatures'
	WALK_SHORT_OK=1 walk "$LT" "limit=4&labels=$SIG_A&labels=b-renamed"
	is "$WALK_OK $(walked)" "1 ${SIG_B_IDS[*]:1:8} ${SIG_R[0]}" 'signature: ... and the walk finds them'
}

ALL_CASES+=" signature"
