# shellcheck shell=bash
# tests/galera/cluster.sh: a MariaDB Galera cluster of GALERA_NODES (3)
# nodes on loopback, all in $STATE, for tests/galera/run.sh.  Sourced after
# tests/faults/lib.sh (die, note, spawn, wait_until, free_port...).
#
# Node i has $STATE/nI/{db,mariadb.sock,mariadb.log}, a SQL port, a
# group-communication port, an IST port and an SST port, all free ports on
# 127.0.0.1 chosen once (kept in $STATE/nI/ports).  Node 1 bootstraps the
# cluster (--wsrep-new-cluster); the others join it and get their data by
# SST (rsync), later by IST after a restart.  Nothing runs through systemd.
#
#   galera_start_all                  bootstrap node 1, join the others
#   galera_node_start I [bootstrap]   start node I (joins the running cluster)
#   galera_node_stop I                SIGTERM: a clean stop, so it can rejoin by IST
#   galera_sql I SQL                  run SQL as root on node I (tab-separated)
#   galera_wait_synced I [TENTHS]     until wsrep_local_state_comment = Synced

GALERA_NODES=${GALERA_NODES:-3}
GALERA_PROVIDER=${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}

node_dir() { echo "$STATE/n$1"; }
node_sock() { echo "$STATE/n$1/mariadb.sock"; }

# SQL GCOMM IST SST ports of node I, chosen once.
node_ports() { # I
	local f
	f=$(node_dir "$1")/ports
	if [ ! -s "$f" ]; then
		mkdir -p "$(node_dir "$1")"
		echo "$(free_port) $(free_port) $(free_port) $(free_port)" >"$f"
	fi
	cat "$f"
}

node_sql_port() { node_ports "$1" | cut -d' ' -f1; }

gcomm_address() {
	local i p=()
	for ((i = 1; i <= GALERA_NODES; i++)); do
		p+=("127.0.0.1:$(node_ports "$i" | cut -d' ' -f2)")
	done
	local IFS=,
	echo "gcomm://${p[*]}"
}

galera_sql() { # I SQL
	mariadb --no-defaults -S "$(node_sock "$1")" -uroot -B -N -e "$2"
}

node_state() { # I
	galera_sql "$1" "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2
}

node_synced_or_dead() { # I
	[ "$(node_state "$1")" = Synced ] || ! pid_alive "$(node_dir "$1")/mariadb.pid"
}

galera_wait_synced() { # I [TENTHS]
	wait_until "${2:-1200}" node_synced_or_dead "$1"
	[ "$(node_state "$1")" = Synced ]
}

galera_node_start() { # I [bootstrap]
	local i=$1 d ports user=() cluster
	d=$(node_dir "$i")
	read -r -a ports <<<"$(node_ports "$i")"
	# As root the nodes run as mysql: the rsync SST daemon of a root server
	# would switch to "nobody" and could not write the joiner's datadir.
	if [ "$(id -u)" = 0 ]; then
		user=(--user=mysql)
		chmod o+x "$STATE"
		mkdir -p "$d/db"
		chown -R mysql:mysql "$d"
	fi
	cluster=$(gcomm_address)
	if [ "${2:-}" = bootstrap ]; then
		cluster=gcomm://
		if [ ! -d "$d/db/mysql" ]; then
			mariadb-install-db --no-defaults --datadir="$d/db" "${user[@]}" \
				--auth-root-authentication-method=normal --skip-test-db \
				>"$d/install.log" 2>&1 || die "mariadb-install-db failed; see $d/install.log"
		fi
	fi
	mkdir -p "$d/db" "$d/tmp"
	[ "$(id -u)" = 0 ] && chown mysql:mysql "$d/tmp"
	spawn "$d/mariadb.pid" "$d/mariadb.log" mariadbd --no-defaults "${user[@]}" \
		--datadir="$d/db" --tmpdir="$d/tmp" --socket="$(node_sock "$i")" --pid-file="$d/mariadbd.pid" \
		--port="${ports[0]}" --bind-address=127.0.0.1 --skip-name-resolve \
		--performance-schema=OFF --innodb-buffer-pool-size=64M --innodb-log-file-size=32M \
		--max-connections=200 --log-error="$d/mariadb.log" \
		--binlog-format=ROW --default-storage-engine=InnoDB --innodb-autoinc-lock-mode=2 \
		--wsrep-on=ON --wsrep-provider="$GALERA_PROVIDER" --wsrep-cluster-name=customers-test \
		--wsrep-cluster-address="$cluster" ${2:+--wsrep-new-cluster} \
		--wsrep-node-name="n$i" --wsrep-node-address="127.0.0.1:${ports[1]}" \
		--wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:${ports[1]};ist.recv_addr=127.0.0.1:${ports[2]};gcache.size=128M" \
		--wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:${ports[3]}"
	galera_wait_synced "$i" || die "galera node $i did not reach Synced; see $d/mariadb.log"
}

galera_node_stop() { # I
	stop_pidfile "$(node_dir "$1")/mariadb.pid" 600
}

galera_start_all() {
	local i
	galera_node_start 1 bootstrap
	for ((i = 2; i <= GALERA_NODES; i++)); do
		galera_node_start "$i"
	done
}

galera_stop_all() {
	local i
	for ((i = GALERA_NODES; i >= 1; i--)); do
		galera_node_stop "$i"
	done
}

# "127.0.0.1:P1, 127.0.0.1:P2, ..." for the service's [database] hosts.
galera_hosts() {
	local i h=()
	for ((i = 1; i <= GALERA_NODES; i++)); do
		h+=("127.0.0.1:$(node_sql_port "$i")")
	done
	local IFS=,
	h=("${h[*]}")
	echo "${h[0]//,/, }"
}
