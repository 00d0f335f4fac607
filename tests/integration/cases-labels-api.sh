# shellcheck shell=bash
# shellcheck disable=SC2016 # jq programs name their $variables in single quotes
# cases-labels-api.sh: the partner-wide label routes (contract §11),
# sourced by cases.sh.  Uses its helpers (create, patch, get_one,
# set_status, db_query, hex_of, client_add, must_token) and lib.sh's
# LABELS_MISMATCH_SQL.  Each group works in a partner of its own, so the
# label pages it reads hold only its own labels.

# A partner of its own: sets LT (write token) and LR (read-only token).
labels_partner() { # NAME
	local c
	client_add c "$1"
	must_token LT "$c"
	must_token LR "$c" customers:read
}

# The percent-encoding of a label for the path (every byte outside [A-Za-z0-9._~-]).
label_path() { # LABEL
	jq -rn --arg s "$1" '$s | @uri'
}

lget() { # QUERY [curl args...]: GET /roles/customer-labels?QUERY with LT
	local q=$1
	shift
	req GET "/roles/customer-labels${q:+?$q}" -H "$(bearer "$LT")" "$@"
}

lrename() { # LABEL BODY [curl args...]
	local l=$1 b=$2
	shift 2
	req PATCH "/roles/customer-labels/$(label_path "$l")" -H "$(bearer "$LT")" "${JH[@]}" \
		-H "Requestor-ID: $(uuid4)" "$@" -d "$b"
}

ldelete() { # LABEL [curl args...]
	local l=$1
	shift
	req DELETE "/roles/customer-labels/$(label_path "$l")" -H "$(bearer "$LT")" \
		-H "Requestor-ID: $(uuid4)" "$@"
}

lassign() { # LABEL BODY [curl args...]
	local l=$1 b=$2
	shift 2
	req PATCH "/roles/customer-labels/$(label_path "$l")/customers" -H "$(bearer "$LT")" \
		"${JH[@]}" -H "Requestor-ID: $(uuid4)" "$@" -d "$b"
}

# The whole label page of the partner as "label=count" lines.
lcounts() {
	lget "limit=1000"
	jq -r '.[] | "\(.label)=\(.customersCount)"' <<<"$BODY"
}

# A customer of LT's partner with LABELS (JSON): sets NEW_ID.
lcreate() { # LABELS
	create "$LT" "$(uuid4)" NATURAL_PERSON "$1"
}

jc() { jq -c "$1" <<<"$BODY"; } # JQ-FILTER: applied to BODY, compact output

labels_of() { # ID: the customer's labels, one JSON line
	req GET "/roles/customers/$1" -H "$(bearer "$LT")"
	jc .labels
}

lpatch() { # ID BODY: PATCH /roles/customers/ID with LT
	req PATCH "/roles/customers/$1" -H "$(bearer "$LT")" "${JH[@]}" -H "Requestor-ID: $(uuid4)" \
		-d "$2"
}

store_consistent() {
	is "$(db_query "$LABELS_MISMATCH_SQL")" 0 "$1"
}

cases_labels_counts() {
	local a b c link next
	labels_partner labels-counts
	lget ""
	expect 200 'labels: GET of a partner without labels is 200'
	is "$BODY" '[]' 'labels: ... and an empty array'
	lcreate '["vip","berlin"]'
	a=$NEW_ID
	lcreate '["vip"]'
	b=$NEW_ID
	lcreate '["zürich","Vip"]'
	c=$NEW_ID
	is "$(lcounts | tr '\n' ' ')" 'Vip=1 berlin=1 vip=2 zürich=1 ' \
		'labels: counts in byte order, case-sensitive'
	lpatch "$a" '{"labels":["berlin"]}'
	is "$(lcounts | tr '\n' ' ')" 'Vip=1 berlin=1 vip=1 zürich=1 ' 'labels: a PATCH moves the counts'
	ok 'labels: set-status OFFBOARDED' set_status "$b" OFFBOARDED
	is "$(lcounts | tr '\n' ' ')" 'Vip=1 berlin=1 zürich=1 ' \
		'labels: OFFBOARDED customers are not counted; a label only they carry is not listed'
	ok 'labels: set-status ACTIVE again' set_status "$b" ACTIVE
	is "$(lcounts | tr '\n' ' ')" 'Vip=1 berlin=1 vip=1 zürich=1 ' 'labels: ... and counted again after'

	lget "limit=2"
	expect 200 'labels: limit=2 is 200'
	is "$(jc '[.[].label]')" '["Vip","berlin"]' 'labels: limit=2 gives the first two'
	link=$(hdr Link)
	like "$link" '^</roles/customer-labels\?limit=2&cursor=[A-Za-z0-9_-]+>; rel="next"$' \
		'labels: Link rel="next" (RFC 8288) when more follow'
	next=${link#<}
	next=${next%%>*}
	req GET "$next" -H "$(bearer "$LT")"
	is "$(jc '[.[].label]')" '["vip","zürich"]' 'labels: the next page follows on'
	is "$(hdr Link)" '' 'labels: no Link on the last page'
	req GET "$next" -H "$(bearer "$B_TOK")"
	expect_error 400 BAD_REQUEST INVALID_CURSOR 'labels: a cursor of another partner is 400 INVALID_CURSOR'
	req GET "${next%?}A" -H "$(bearer "$LT")"
	expect_error 400 BAD_REQUEST INVALID_CURSOR 'labels: a tampered cursor is 400 INVALID_CURSOR'
	lget "cursor=$(hdr X-None)x"
	expect_error 400 BAD_REQUEST INVALID_CURSOR 'labels: a garbage cursor is 400 INVALID_CURSOR'
	lget "limit=0"
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'labels: limit=0 is 400'
	is "$(jb '.errorDetails[0].field')" limit 'labels: ... on field limit'
	lget "limit=1001"
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'labels: limit=1001 is 400'
	lget "limit=1000"
	expect 200 'labels: limit=1000 is 200'
	lget "labels=vip"
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'labels: an unknown parameter is 400'
	req GET /roles/customer-labels -H "$(bearer "$LR")"
	expect 200 'labels: GET needs customers:read only'
	req GET /roles/customer-labels
	expect 401 'labels: GET without a token is 401'
	store_consistent 'labels: the store agrees with itself after the counts group'
	: "$c"
}

ALL_CASES="$ALL_CASES labels_counts"
