#!/usr/bin/env bash
# Cells per hour of a grid on the Redis queue with 1, 2 and 4 worker processes on this machine,
# and what Redis costs per cell (queue-roundtrip.mjs). Needs `pnpm build` and redis-server on PATH.
# The 1-minute load average is printed beside each figure: other work on the machine slows it.
# Usage: bash apps/bench/scripts/queue-scaling.sh [WORKER_COUNTS...]   (default: 1 2 4)
set -euo pipefail
cd "$(dirname "$0")/../../.."
cli=apps/bench/dist/cli.js
counts=("${@:-1 2 4}")
[ $# -eq 0 ] && counts=(1 2 4)
dir=$(mktemp -d)
port=$(node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})")
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --maxmemory-policy noeviction >"$dir/redis.log" 2>&1 &
redis=$!
trap 'kill $redis 2>/dev/null; rm -rf "$dir"' EXIT
sleep 1
# 12 cells: 3 models x 4 seeds, stream protocol, 1,000 users x 500 items x 30,000 events
echo '{ "synthetic": { "numUsers": 1000, "numItems": 500, "numEvents": 30000 } }' >"$dir/grid.json"
grid=(--config "$dir/grid.json" --models bprmf,neumf,pop --seeds 1,2,3,4 --protocol stream --backend wasm --quiet)
cells=12
load() { cut -d' ' -f1 /proc/loadavg; }
l0=$(load); t0=$(date +%s.%N)
node "$cli" "${grid[@]}" --workers 1 --out "$dir/local" >/dev/null
t1=$(date +%s.%N)
echo "local --workers 1 (load $l0 -> $(load)): $(node -e "console.log((($t1-$t0)).toFixed(1))") s, $(node -e "console.log(($cells*3600/($t1-$t0)).toFixed(0))") cells/hour"
for n in "${counts[@]}"; do
  url="redis://127.0.0.1:$port/scale$n"
  pids=()
  for k in $(seq "$n"); do node "$cli" worker --queue "$url" >"$dir/w$n-$k.log" 2>&1 & pids+=($!); done
  l0=$(load); t0=$(date +%s.%N)
  node "$cli" "${grid[@]}" --queue "$url" --out "$dir/q$n" >/dev/null
  t1=$(date +%s.%N)
  kill -TERM "${pids[@]}"; wait "${pids[@]}" || true
  store=$(cat "$dir"/w"$n"-*.log | sed -n 's/.*stored, \([0-9.]*\) ms in Redis/\1/p' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  run=$(node -e "const r=require('$dir/q$n/results.json'); console.log(r.queue.cells.reduce((s,c)=>s+c.runSeconds,0).toFixed(1))")
  echo "queue, $n worker(s) (load $l0 -> $(load)): $(node -e "console.log((($t1-$t0)).toFixed(1))") s, $(node -e "console.log(($cells*3600/($t1-$t0)).toFixed(0))") cells/hour; cells ran $run s in all; storing a result: median $store ms"
done
echo "result size per cell: $(cat "$dir"/w1-*.log 2>/dev/null | sed -n 's/.*storing \([0-9]*\) kB/\1/p' | sort -n | uniq | tr '\n' ' ')kB"
node apps/bench/scripts/queue-roundtrip.mjs "redis://127.0.0.1:$port" 50 "$(cat "$dir"/w1-*.log | sed -n 's/.*storing \([0-9]*\) kB.*/\1/p' | sort -n | tail -1)"
echo "load average at the end: $(load)"
