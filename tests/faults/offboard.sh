# shellcheck shell=bash
# offboard.sh: offboardings executed exactly once (contract §12) by two
# pools on one MariaDB, across a kill -9 of an executor and of mariadbd.
# Sourced by run.sh (fault "offboard"); tests/galera/run.sh uses
# offboard_seed and offboard_check against the cluster.

OFFB_N=${OFFB_N:-1000}

# OFFB_N customers, each with a CREATED immediate offboarding due a day
# ago, all committed in one transaction (so every executor sees them at
# once).  Ids are fixed per seq: customer 0190...seq, offboarding 0191...seq.
offboard_seed_sql() { # PARTNER_NAME
	cat <<-SQL
		INSERT INTO partners (name) VALUES ('$1');
		SET @p = (SELECT id FROM partners WHERE name = '$1');
		START TRANSACTION;
		INSERT INTO customers (id, partner_id, entity_id, entity_type, status, created_at,
			modified_at, cancellation_date)
		SELECT UNHEX(CONCAT('01900000', LPAD(HEX(seq), 24, '0'))), @p,
			UNHEX(CONCAT('01900000', LPAD(HEX(seq), 24, '0'))), 'NATURAL_PERSON', 'OFFBOARDING',
			NOW(3) - INTERVAL 2 DAY, NOW(3) - INTERVAL 1 DAY, NOW(3) - INTERVAL 1 DAY
		FROM seq_1_to_$OFFB_N;
		INSERT INTO offboardings (id, partner_id, customer_id, reason, status, requestor_id,
			cancellation_date, created_at, modified_at, status_before)
		SELECT UNHEX(CONCAT('01910000', LPAD(HEX(seq), 24, '0'))), @p,
			UNHEX(CONCAT('01900000', LPAD(HEX(seq), 24, '0'))), 'DEATH_IMMEDIATE', 'CREATED',
			UNHEX(CONCAT('01900000', LPAD(HEX(seq), 24, '0'))),
			NOW(3) - INTERVAL 1 DAY, NOW(3) - INTERVAL 1 DAY, NOW(3) - INTERVAL 1 DAY, 'ACTIVE'
		FROM seq_1_to_$OFFB_N;
		COMMIT;
	SQL
}

# Prints "created approved audits dup_audits events dup_events offboarded" for the partner.
offboard_figures() { # PARTNER_NAME (through db_query)
	db_query "SET @p = (SELECT id FROM partners WHERE name = '$1');
		SELECT (SELECT COUNT(*) FROM offboardings WHERE partner_id = @p AND status = 'CREATED'),
		(SELECT COUNT(*) FROM offboardings WHERE partner_id = @p AND status = 'APPROVED'),
		(SELECT COUNT(*) FROM customer_audit WHERE partner_id = @p AND status_after = 'OFFBOARDED'),
		(SELECT COUNT(*) FROM (SELECT offboarding_id FROM customer_audit WHERE partner_id = @p
			AND status_after = 'OFFBOARDED' GROUP BY offboarding_id HAVING COUNT(*) > 1) d),
		(SELECT COUNT(*) FROM events WHERE partner_id = @p AND event_type = 'OFFBOARDING_NOTIFICATION'),
		(SELECT COUNT(*) FROM (SELECT JSON_VALUE(data, '\$.offboardingId') o FROM events
			WHERE partner_id = @p AND event_type = 'OFFBOARDING_NOTIFICATION'
			GROUP BY o HAVING COUNT(*) > 1) d),
		(SELECT COUNT(*) FROM customers WHERE partner_id = @p AND status = 'OFFBOARDED')" | tr '\t' ' '
}

offboard_none_left() { # PARTNER_NAME
	[ "$(offboard_figures "$1" | cut -d' ' -f1)" = 0 ]
}

offboard_left_below() { # PARTNER_NAME N
	[ "$(offboard_figures "$1" | cut -d' ' -f1)" -lt "$2" ]
}

# The figures' assertions, PREFIX naming the test.
offboard_check() { # PARTNER_NAME PREFIX
	local f
	read -r -a f <<<"$(offboard_figures "$1")"
	note "$2: CREATED ${f[0]}, APPROVED ${f[1]}, audit records ${f[2]} (doubled ${f[3]}), events ${f[4]} (doubled ${f[5]}), customers OFFBOARDED ${f[6]}"
	is "${f[0]}:${f[1]}" "0:$OFFB_N" "$2: all $OFFB_N due offboardings executed, none forgotten"
	is "${f[2]}:${f[3]}" "$OFFB_N:0" "$2: exactly one execution audit record each"
	is "${f[4]}:${f[5]}" "$OFFB_N:0" "$2: exactly one OFFBOARDING_NOTIFICATION each"
	is "${f[6]}" "$OFFB_N" "$2: every customer OFFBOARDED"
}

# The pid of the newest executor a pool's log announced.
executor_pid() { # LOG
	grep -o 'offboarding executor [0-9]* ready' "$1" | tail -1 | awk '{print $3}'
}

executor_up() { # LOG
	[ -n "$(executor_pid "$1")" ]
}

executor_replaced() { # LOG OLD_PID
	local now
	now=$(executor_pid "$1")
	[ -n "$now" ] && [ "$now" != "$2" ]
}

fault_offboard() {
	local conf2=$STATE/customers2.conf old new started
	sed -e "s|^listen = .*|listen = $STATE/fcgi2.sock|" -e 's/^workers = .*/workers = 2/' \
		"$(APP_CONF)" >"$conf2"
	spawn "$STATE/fcgi2.pid" "$STATE/fcgi2.log" "$BINDIR/customers-fcgi" -c "$conf2"
	wait_until 100 test -S "$STATE/fcgi2.sock" || die "the second pool did not start"
	wait_until 100 executor_up "$STATE/fcgi2.log" || die "the second pool has no executor"
	old=$(executor_pid "$STATE/fcgi.log")
	note "offboard: two pools, executors $old and $(executor_pid "$STATE/fcgi2.log"); $OFFB_N due offboardings in one commit"
	started=$(now_ms)
	offboard_seed_sql offb-faults | mariadb_root -D "$DB_NAME" || die "offboard: cannot seed"
	# mid-run: once some are done, so that each fault lands among executions
	wait_until 100 offboard_left_below offb-faults $((OFFB_N * 9 / 10))
	kill -KILL "$old"
	note "offboard: kill -9 of executor $old (CREATED left: $(offboard_figures offb-faults | cut -d' ' -f1))"
	wait_until 100 offboard_left_below offb-faults $((OFFB_N * 6 / 10))
	note "offboard: kill -9 of mariadbd (CREATED left: $(offboard_figures offb-faults | cut -d' ' -f1)), back after 2 s"
	kill -KILL "$(cat "$STATE/mariadbd.pid")"
	wait_until 50 pid_gone "$(cat "$STATE/mariadb.pid")"
	sleep 2
	mariadb_start
	ok 'offboard: everything due is executed once the database is back (60 s)' \
		wait_until 600 offboard_none_left offb-faults
	note "offboard: done $(($(now_ms) - started)) ms after the seed"
	ok "offboard: the pool restarted its executor" executor_replaced "$STATE/fcgi.log" "$old"
	offboard_check offb-faults offboard
	note "offboard: executions logged by pool 1: $(grep -o '[0-9]* offboardings executed' "$STATE/fcgi.log" | awk '{s += $1} END {print s + 0}'), pool 2: $(grep -o '[0-9]* offboardings executed' "$STATE/fcgi2.log" | awk '{s += $1} END {print s + 0}')"
	started=$(now_ms)
	stop_pidfile "$STATE/fcgi2.pid" 300
	ok 'offboard: the second pool (workers, executor) stops on SIGTERM within 3 s' \
		[ $(($(now_ms) - started)) -le 3000 ]
	SUMMARY+=("$(printf '%-18s %d due, 2 pools, kill -9 executor + mariadbd: %s' offboard "$OFFB_N" "$(offboard_figures offb-faults)")")
}
