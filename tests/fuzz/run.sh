#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.c with clang (-fsanitize=fuzzer,address,
# undefined, linked with the real src/ modules) into a temporary directory
# and runs each for FUZZ_SECONDS against its seed corpus
# tests/fuzz/corpus/NAME/.  Prints TAP: one line per fuzzer; a crash, leak,
# sanitizer report or timeout is "not ok" with the log tail and the input
# (base64) as diagnostics, and the failing input is kept in FUZZ_OUT.
#
#   tests/fuzz/run.sh                       all fuzzers, 20 s each
#   FUZZ_SECONDS=300 tests/fuzz/run.sh fuzz_cursor
#   FUZZ_OUT=/tmp/fz    keep build, corpora and artifacts there
#   FUZZ_MERGE=1        merge new interesting inputs back into the seed corpus
#   FUZZ_JOBS=2         run that many fuzzers at once
# Exit: 0 all passed, 1 a fuzzer failed, 77 clang cannot build fuzzers, 99 setup error.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FUZZ=$ROOT/tests/fuzz
SECONDS_EACH=${FUZZ_SECONDS:-20}
JOBS=${FUZZ_JOBS:-1}
CC=${FUZZ_CC:-clang}
OUT=${FUZZ_OUT:-}
if [ -z "$OUT" ]; then
	OUT=$(mktemp -d /tmp/fuzz.XXXXXX) || exit 99
	trap 'rm -rf "$OUT"' EXIT
fi
mkdir -p "$OUT" || exit 99

PKGS="jansson libcrypto inih"
MODULES="api_err base64 config config_rules cursor customer_json if_match jwk jws keyring log model query scopes secrets seed_gen throttle token uuid validate"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=undefined -Wall -Wextra -Werror -Wno-unused-function -I$ROOT/src"

if ! command -v "$CC" >/dev/null ||
	! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' |
	"$CC" -fsanitize=fuzzer -x c - -o "$OUT/probe" 2>/dev/null; then
	echo "1..0 # SKIP $CC cannot build libFuzzer targets (install clang and libclang-rt-dev)"
	exit 77
fi
DEP_CFLAGS=$(pkg-config --cflags $PKGS libmariadb fcgi 2>/dev/null || pkg-config --cflags $PKGS) || exit 99
DEP_LIBS=$(pkg-config --libs $PKGS) || exit 99

NAMES=()
if [ $# -gt 0 ]; then
	NAMES=("$@")
else
	for f in "$FUZZ"/fuzz_*.c; do
		NAMES+=("$(basename "$f" .c)")
	done
fi

# The src/ modules, compiled once with coverage into $OUT/obj.
build_modules() {
	mkdir -p "$OUT/obj"
	for m in $MODULES; do
		[ -f "$ROOT/src/$m.c" ] || continue
		# shellcheck disable=SC2086
		$CC $CFLAGS $DEP_CFLAGS -c "$ROOT/src/$m.c" -o "$OUT/obj/$m.o" || return 1
	done
}

build_one() { # NAME
	local name=$1 objs=() o
	for o in "$OUT"/obj/*.o; do
		# a harness that includes a module's .c (to reach its statics) must not link it twice
		grep -q "include \"../../src/$(basename "$o" .o).c\"" "$FUZZ/$name.c" || objs+=("$o")
	done
	# shellcheck disable=SC2086
	$CC $CFLAGS $DEP_CFLAGS "$FUZZ/$name.c" "${objs[@]}" $DEP_LIBS -o "$OUT/$name" \
		>"$OUT/$name.build.log" 2>&1
}

run_one() { # NAME -> writes $OUT/NAME.result ("ok" or "not ok")
	local name=$1 seeds=$FUZZ/corpus/$1 work=$OUT/corpus-$1 art=$OUT/artifacts-$1/ dict=()
	mkdir -p "$work" "$art" "$seeds"
	[ -f "$FUZZ/$name.dict" ] && dict=(-dict="$FUZZ/$name.dict")
	if ! build_one "$name"; then
		echo "build" >"$OUT/$name.result"
		return
	fi
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
		"$OUT/$name" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-max_len=70000 -print_final_stats=1 -artifact_prefix="$art" "${dict[@]}" \
		"$work" "$seeds" >"$OUT/$name.log" 2>&1
	echo $? >"$OUT/$name.result"
	if [ "${FUZZ_MERGE:-0}" = 1 ]; then
		"$OUT/$name" -merge=1 "$seeds" "$work" >>"$OUT/$name.merge.log" 2>&1
	fi
}

report() { # N NAME
	local n=$1 name=$2 rc
	rc=$(cat "$OUT/$name.result" 2>/dev/null || echo missing)
	if [ "$rc" = 0 ]; then
		echo "ok $n - $name: $(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$OUT/$name.log" |
			grep -Eo '[0-9]+$') runs in ${SECONDS_EACH}s, no crash, leak or timeout"
		return 0
	fi
	echo "not ok $n - $name (exit $rc)"
	if [ "$rc" = build ]; then
		sed 's/^/# /' "$OUT/$name.build.log" | tail -n 30
		return 1
	fi
	grep -E 'ERROR|SUMMARY|property failed|runtime error|Test unit written' "$OUT/$name.log" |
		head -n 20 | sed 's/^/# /'
	for a in "$OUT/artifacts-$name/"*; do
		[ -f "$a" ] || continue
		echo "# input $(basename "$a"): $(head -c 2048 "$a" | base64 -w0)"
	done
	return 1
}

if ! build_modules >"$OUT/modules.log" 2>&1; then
	echo "1..1"
	echo "not ok 1 - build the src/ modules with $CC"
	sed 's/^/# /' "$OUT/modules.log" | tail -n 30
	exit 1
fi

echo "1..${#NAMES[@]}"
running=0
for name in "${NAMES[@]}"; do
	run_one "$name" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
failed=0
n=0
for name in "${NAMES[@]}"; do
	n=$((n + 1))
	report "$n" "$name" || failed=1
done
exit $failed
