#!/bin/sh
# Checks that every C file of src/ and tests/unit/ is formatted as
# .clang-format says, and prints TAP: one case per file.  A drift is shown
# as the diff clang-format would apply.  Without clang-format the check is
# skipped (scripts/deps installs it).
set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${top_srcdir:-$here/..}

if ! command -v clang-format >/dev/null 2>&1; then
	echo "1..0 # SKIP clang-format is not installed"
	exit 0
fi

cd "$srcdir" || exit 1
set -- src/*.c src/*.h tests/unit/*.c tests/unit/*.h
echo "1..$#"
n=0
for f in "$@"; do
	n=$((n + 1))
	if clang-format --style=file "$f" | diff -u "$f" - >/tmp/format-check.$$ 2>&1; then
		echo "ok $n - $f"
	else
		echo "not ok $n - $f is not clang-formatted"
		sed 's/^/# /' /tmp/format-check.$$ | head -n 40
	fi
done
rm -f /tmp/format-check.$$
