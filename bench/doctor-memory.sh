#!/usr/bin/env bash
# Peak memory of `mediacdn doctor` live mode against hostile playlists served
# on 127.0.0.1: each case runs in its own test process, so the process's peak
# RSS is that case's. Prints one line per case, in MiB: the walk's peak heap
# above the baseline, the heap the report keeps, the peak heap of rendering
# it (text and JSON, to a writer that keeps nothing) above that, the sizes of
# the text and JSON outputs, and the process's max RSS.
#
#   bench/doctor-memory.sh            # all cases
#   bench/doctor-memory.sh redirect   # cases matching a pattern
set -euo pipefail
cd "$(dirname "$0")/.."
pattern=${1:-.}
go test -c -o /tmp/doctor-bench.test ./doctor
for c in one-char_bomb one-char_master one-char_master64 distinct_bomb distinct_master distinct_master64 long_bomb long_master long_master64 redirect_master redirect_master64; do
  [[ $c =~ $pattern ]] || continue
  /tmp/doctor-bench.test -test.run '^$' -test.bench "HostilePlaylistMemory/^${c}\$" -test.benchtime 1x |
    awk -v c="$c" '/peak-heap-MiB/ { for (i = 1; i <= NF; i++) { m[$(i+1)] = $i }
      printf "%-18s walk peak heap %6.1f  report %5.1f  render peak %5.1f  text %5.1f  json %5.1f  max RSS %6.1f MiB  %6.1f s\n",
        c, m["peak-heap-MiB"], m["report-heap-MiB"], m["render-peak-MiB"], m["text-MiB"], m["json-MiB"], m["process-maxrss-MiB"], m["ns/op"] / 1e9 }'
done
