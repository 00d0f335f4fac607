# query texts; X=label-03(4) Y=label-17(18) Z=label-29(30) W=label-41(42)
COLS="c.id, c.entity_id, c.entity_type, c.status, c.created_at, c.modified_at, c.cancellation_date, c.version, c.labels_text, c.ref_accounts_text"
TOP="0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
# B / peer: drive by first label, join others
b_q() { # labels... ; env EXTRA, AFTER
  local sql="SELECT $COLS FROM customer_labels l0" i=1
  for l in "${@:2}"; do sql+=" JOIN customer_labels l$i ON l$i.customer_id = l0.customer_id AND l$i.label = '$l'"; i=$((i+1)); done
  echo "$sql JOIN customers c ON c.id = l0.customer_id WHERE l0.partner_id = 1 AND l0.label = '$1' AND l0.customer_id < ${AFTER:-$TOP} ${EXTRA} ORDER BY l0.customer_id DESC LIMIT 20"
}
# C planner: drive by label id $1 (rarest), EXISTS probes for the others
c_q() {
  local sql="SELECT $COLS FROM customer_labels l1 FORCE INDEX (idx_customer_labels_filter) STRAIGHT_JOIN customers c ON c.id = l1.customer_id WHERE l1.partner_id = 1 AND l1.label_id = $1 AND l1.customer_id < ${AFTER:-$TOP} ${LOW}"
  for l in "${@:2}"; do sql+=" AND EXISTS (SELECT 1 FROM customer_labels lx WHERE lx.customer_id = l1.customer_id AND lx.label_id = $l)"; done
  echo "$sql ${EXTRA} ORDER BY l1.customer_id DESC LIMIT 20 ${RE}"
}
# D: signature walk over (partner_id, id, label_sig), mask of label ids
d_q() {
  local m=0; for l in "$@"; do m=$(( m | (1 << (l & 63)) )); done
  printf -v mu '%u' $m
  echo "SELECT $COLS FROM customers c FORCE INDEX (idx_customers_partner_id) WHERE c.partner_id = 1 AND c.id < ${AFTER:-$TOP} AND c.label_sig & $mu = $mu ${EXTRA} ORDER BY c.id DESC LIMIT 20 ${RE}"
}
# A (schema 3): pair of two smallest drives, probes for the rest
a_q() {
  local sql="SELECT $COLS FROM customer_labels l1 FORCE INDEX (idx_customer_labels_filter) STRAIGHT_JOIN customers c ON c.id = l1.customer_id WHERE l1.partner_id = 1 AND l1.label = '$1' AND l1.paired_with = '$2' AND l1.customer_id < ${AFTER:-$TOP}"
  for l in "${@:3}"; do sql+=" AND EXISTS (SELECT 1 FROM customer_labels lx WHERE lx.customer_id = l1.customer_id AND lx.paired_with = '' AND lx.label = '$l')"; done
  echo "$sql ${EXTRA} ORDER BY l1.customer_id DESC LIMIT 20"
}
cj_q () 
{ 
    local sql="SELECT $COLS FROM customer_labels l0 FORCE INDEX (idx_customer_labels_filter)" i=1;
    for l in "${@:2}";
    do
        sql+=" STRAIGHT_JOIN customer_labels l$i ON l$i.customer_id = l0.customer_id AND l$i.label_id = $l";
        i=$((i+1));
    done;
    echo "$sql STRAIGHT_JOIN customers c ON c.id = l0.customer_id WHERE l0.partner_id = 1 AND l0.label_id = $1 AND l0.customer_id < ${AFTER:-$TOP} ${EXTRA} ORDER BY l0.customer_id DESC LIMIT 20 ${RE}"
}
