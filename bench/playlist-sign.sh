#!/bin/sh
# Signing a playlist against parsing and re-serialising it, side by side.
# Runs BenchmarkPlaylist (urlsign/playlist_bench_test.go) ROUNDS times, each
# round running every case once in turn so background load hits them alike,
# then prints the median of each case (wall time, and the process's CPU time,
# which other jobs on a shared machine disturb far less) and its ratio to
# "reserialise" (hls.Rewrite keeping every URI) for the same playlist size.
#
#   bench/playlist-sign.sh [ROUNDS]   (default 7)
set -eu
rounds=${1:-7}
cd "$(dirname "$0")/.."
bin=$(mktemp)
out=$(mktemp)
trap 'rm -f "$bin" "$out"' EXIT
go test -c -o "$bin" ./urlsign
cd urlsign
i=0
while [ "$i" -lt "$rounds" ]; do
	"$bin" -test.run '^$' -test.bench '^BenchmarkPlaylist$' -test.benchmem -test.count 1 >>"$out"
	i=$((i + 1))
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $rounds rounds"
awk '
/^BenchmarkPlaylist\// {
	name = $1; sub(/^BenchmarkPlaylist\//, "", name); sub(/-[0-9]+$/, "", name)
	for (f = 2; f <= NF; f++) {
		if ($f == "ns/op") ns[name] = ns[name] " " $(f-1)
		if ($f == "cpu-ns/op") cpu[name] = cpu[name] " " $(f-1)
		if ($f == "B/op") bytes[name] = $(f-1)
		if ($f == "allocs/op") allocs[name] = $(f-1)
		if ($f == "signatures/op") sigs[name] = $(f-1)
	}
	if (!(name in seen)) { seen[name] = 1; order[++n] = name }
}
function median(list,   a, k, m, t, i, j) {
	m = split(list, a, " ")
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
END {
	printf "%-34s %10s %7s %10s %7s %10s %10s %5s\n", "case", "wall", "ratio", "cpu", "ratio", "B/op", "allocs/op", "sigs"
	for (k = 1; k <= n; k++) {
		name = order[k]; split(name, p, "/")
		w[name] = median(ns[name]); c[name] = median(cpu[name])
		bw = w[p[1] "/reserialise"]; bc = c[p[1] "/reserialise"]
		printf "%-34s %8.0fus %6.2fx %8.0fus %6.2fx %10s %10s %5s\n", name, w[name] / 1000, w[name] / bw, c[name] / 1000, c[name] / bc, bytes[name], allocs[name], (name in sigs) ? sigs[name] : "-"
	}
}' "$out"
