#!/bin/bash
# usage: wbench.sh rounds conc "cand..."   cand = db:mode:N
M="mariadb -S /tmp/study/sock -uroot -N -B"
st() { $M -e "show global status where variable_name in ('Innodb_row_lock_waits','Innodb_row_lock_time','Innodb_deadlocks')" | awk '{printf "%s=%s ", $1, $2}'; }
for r in $(seq 1 $1); do
  for spec in $3; do
    IFS=: read db mode n <<<"$spec"
    for op in ins patch; do
      s0=$($M -e "show global status where variable_name in ('Innodb_row_lock_waits','Innodb_row_lock_time','Innodb_deadlocks')" | awk '{print $2}' | tr '\n' ' ')
      t0=$(date +%s.%N)
      out=$(mariadb-slap -S /tmp/study/sock -uroot --create-schema=$db --no-drop --concurrency=$2 --number-of-queries=$n --query="CALL w_$op('$mode')" 2>&1)
      t1=$(date +%s.%N)
      s1=$($M -e "show global status where variable_name in ('Innodb_row_lock_waits','Innodb_row_lock_time','Innodb_deadlocks')" | awk '{print $2}' | tr '\n' ' ')
      err=$(echo "$out" | grep -ci error)
      echo "round=$r cand=$db/$mode op=$op n=$n secs=$(echo "$t1 - $t0" | bc) tps=$(echo "$n / ($t1 - $t0)" | bc) errs=$err status0=[$s0] status1=[$s1]"
    done
  done
done
