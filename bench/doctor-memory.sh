#!/usr/bin/env bash
# Peak memory of `mediacdn doctor` live mode against hostile playlists served
# on 127.0.0.1: each case runs in its own test process, so the process's peak
# RSS is that case's. Prints one line per case: peak heap above the baseline
# and process max RSS, in MiB.
#
#   bench/doctor-memory.sh            # all cases
#   bench/doctor-memory.sh one-char   # cases matching a pattern
set -euo pipefail
cd "$(dirname "$0")/.."
pattern=${1:-.}
go test -c -o /tmp/doctor-bench.test ./doctor
for c in one-char_bomb one-char_master one-char_master64 distinct_bomb distinct_master distinct_master64 long_bomb long_master long_master64; do
  [[ $c =~ $pattern ]] || continue
  /tmp/doctor-bench.test -test.run '^$' -test.bench "HostilePlaylistMemory/^${c}\$" -test.benchtime 1x |
    awk -v c="$c" '/peak-heap-MiB/ { for (i = 1; i <= NF; i++) { if ($(i+1) == "peak-heap-MiB") h = $i; if ($(i+1) == "process-maxrss-MiB") r = $i; if ($(i+1) == "ns/op") t = $i / 1e9 }
      printf "%-18s peak heap %7.1f MiB   max RSS %7.1f MiB   %6.1f s\n", c, h, r, t }'
done
