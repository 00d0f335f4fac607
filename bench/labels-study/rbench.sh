#!/bin/bash
cd /tmp/study; source sql/reads.sh
MID=0x019AF89F0A0F714E8E22EABA297944C9
S16="2 4 5 12 20 25 28 37 43 48 49 54 58 62 63 64"
nm() { for i in "$@"; do printf 'label-%02d ' $((i-1)); done; }
UNK="AND c.entity_id = 0x00112233445566778899AABBCCDDEEFF"
declare -a Q
add() { Q+=("$1|$2|$3|$4"); }   # db|name|n|sql
add a a.2lab 640 "$(a_q label-03 label-17)"
add a a.zznone 64 "$(a_q label-03 label-17 zz-none)"
add b b.2lab 960 "$(b_q label-03 label-17)"
add b b.3lab 960 "$(b_q label-03 label-17 label-29)"
add b b.4lab 960 "$(b_q label-03 label-17 label-29 label-41)"
add b b.zznone 64 "$(b_q label-03 label-17 zz-none)"
add b b.unkent 64 "$(EXTRA="$UNK" b_q label-03)"
add c c.2lab 960 "$(c_q 4 18)"
add c c.3lab 960 "$(c_q 4 18 30)"
add c c.4lab 960 "$(c_q 4 18 30 42)"
add c c.3lab.mid 960 "$(AFTER=$MID c_q 4 18 30)"
add c c.zznone.dict 960 "SELECT label_id, name, customers_count FROM partner_labels WHERE partner_id = 1 AND name IN ('label-03','label-17','zz-none')"
add c c.unkent.entitydriven 960 "SELECT $COLS FROM customers c FORCE INDEX (uk_customers_partner_entity) WHERE c.partner_id = 1 AND c.entity_id = 0x00112233445566778899AABBCCDDEEFF AND c.id < $TOP AND EXISTS (SELECT 1 FROM customer_labels lx WHERE lx.customer_id = c.id AND lx.label_id = 4) ORDER BY c.id DESC LIMIT 20"
add c c.offb2lab.re10k 320 "$(RE='ROWS EXAMINED 10000' EXTRA="AND c.status = 'OFFBOARDED'" c_q 4 18)"
add c c.16lab.re10k 320 "$(RE='ROWS EXAMINED 10000' c_q $S16)"
add c c.bound5000 960 "SELECT customer_id FROM customer_labels FORCE INDEX (idx_customer_labels_filter) WHERE partner_id = 1 AND label_id = 4 AND customer_id < $TOP ORDER BY customer_id DESC LIMIT 1 OFFSET 4999"
add c c.offb2lab.bounded5000 320 "$(LOW="AND l1.customer_id >= (SELECT customer_id FROM customer_labels FORCE INDEX (idx_customer_labels_filter) WHERE partner_id = 1 AND label_id = 4 AND customer_id < $TOP ORDER BY customer_id DESC LIMIT 1 OFFSET 4999)" EXTRA="AND c.status = 'OFFBOARDED'" c_q 4 18)"
add c c.16lab.bounded5000 320 "$(LOW="AND l1.customer_id >= (SELECT customer_id FROM customer_labels FORCE INDEX (idx_customer_labels_filter) WHERE partner_id = 1 AND label_id = 2 AND customer_id < $TOP ORDER BY customer_id DESC LIMIT 1 OFFSET 4999)" c_q $S16)"
add d d.2lab.sig 960 "$(d_q 4 18)"
add d d.3lab.sig 960 "$(d_q 4 18 30)"
add d d.4lab.sig 960 "$(d_q 4 18 30 42)"
add d d.16lab.sig.re10k 320 "$(RE='ROWS EXAMINED 10000' d_q $S16)"
add d d.2lab.label 960 "$(c_q 4 18)"
for r in 1 2 3; do
  for e in "${Q[@]}"; do
    IFS='|' read db name n sql <<<"$e"
    t0=$(date +%s.%N)
    mariadb-slap -S /tmp/study/sock -uroot --create-schema=$db --no-drop --concurrency=32 --number-of-queries=$n --query="$sql" >/tmp/study/slap.out 2>&1 || echo "ERR $name $(head -2 /tmp/study/slap.out)"
    t1=$(date +%s.%N)
    echo "round=$r $name qps=$(echo "$n / ($t1 - $t0)" | bc)"
  done
done
