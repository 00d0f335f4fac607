#!/bin/bash
cd /tmp/study; source sql/reads.sh
MID=0x019AF89F0A0F714E8E22EABA297944C9
S16="2 4 5 12 20 25 28 37 43 48 49 54 58 62 63 64"   # customer n=150000's set (ids); names label-(id-1)
nm() { for i in "$@"; do printf 'label-%02d ' $((i-1)); done; }
run() { printf '%-4s %-34s %s\n' "$1" "$2" "$(./hq.sh $1 "$3")"; }
for shape in 2 3 4; do
  case $shape in 2) ids="4 18";; 3) ids="4 18 30";; 4) ids="4 18 30 42";; esac
  run a "first page $shape labels" "$(a_q $(nm $ids))"
  run b "first page $shape labels" "$(b_q $(nm $ids))"
  run c "first page $shape labels" "$(c_q $ids)"
  run d "first page $shape labels" "$(d_q $ids)"
  AFTER=$MID run c "mid page (n=100000) $shape labels" "$(AFTER=$MID c_q $ids)"
  AFTER=$MID run d "mid page (n=100000) $shape labels" "$(AFTER=$MID d_q $ids)"
done
run a "X,Y,zz-none" "$(a_q label-03 label-17 zz-none)"
run b "X,Y,zz-none" "$(b_q label-03 label-17 zz-none)"
run a "X + unknown entityId" "$(EXTRA="AND c.entity_id = 0x00112233445566778899AABBCCDDEEFF" a_q label-03 '')"
run b "X + unknown entityId" "$(EXTRA="AND c.entity_id = 0x00112233445566778899AABBCCDDEEFF" b_q label-03)"
run c "X + unknown entityId, label-driven" "$(EXTRA="AND c.entity_id = 0x00112233445566778899AABBCCDDEEFF" c_q 4)"
run c "X + unknown entityId, entity-driven" "SELECT $COLS FROM customers c FORCE INDEX (uk_customers_partner_entity) WHERE c.partner_id = 1 AND c.entity_id = 0x00112233445566778899AABBCCDDEEFF AND c.id < $TOP AND EXISTS (SELECT 1 FROM customer_labels lx WHERE lx.customer_id = c.id AND lx.label_id = 4) ORDER BY c.id DESC LIMIT 20"
for L in "" "ROWS EXAMINED 10000"; do
  RE="$L"
  run a "OFFBOARDED+X+Y $L" "$(EXTRA="AND c.status = 'OFFBOARDED'" a_q label-03 label-17)"
  run b "OFFBOARDED+X+Y $L" "$(EXTRA="AND c.status = 'OFFBOARDED'" b_q label-03 label-17) $L"
  run c "OFFBOARDED+X+Y $L" "$(EXTRA="AND c.status = 'OFFBOARDED'" c_q 4 18)"
  run d "OFFBOARDED+X+Y $L" "$(EXTRA="AND c.status = 'OFFBOARDED'" d_q 4 18)"
  run a "16 labels of one customer $L" "$(a_q $(nm $S16))"
  run b "16 labels of one customer $L" "$(b_q $(nm $S16)) $L"
  run c "16 labels of one customer $L" "$(c_q $S16)"
  run d "16 labels of one customer $L" "$(d_q $S16)"
done
