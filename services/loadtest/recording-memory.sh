#!/bin/bash
# Peak memory (VmHWM) of one node taking a 100 MiB recording as RustPBX uploads it (multipart
# call_id, track_id, recording), then, restarted, playing it back whole. See BENCHMARKS.md.
# usage: services/loadtest/recording-memory.sh target/debug/baylanys 18091
set -euo pipefail
BIN=$1; PORT=$2
D=$(mktemp -d); cd "$D"
BAYLANYS_ADMIN_PASSWORD=change-me-now BAYLANYS_LISTEN=127.0.0.1:$PORT BAYLANYS_RUSTPBX_TOKEN=bench-token \
  "$BIN" > log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
B=http://127.0.0.1:$PORT
for i in $(seq 1 100); do curl -fs $B/readyz >/dev/null 2>&1 && break; sleep 0.2; done
T=$(curl -fs $B/api/v1/auth/login -H 'content-type: application/json' -d '{"login":"admin","password":"change-me-now"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
Q=$(curl -fs $B/api/v1/queues -H "authorization: Bearer $T" | python3 -c 'import sys,json;d=json.load(sys.stdin);d=d["items"] if isinstance(d,dict) else d;print(d[0]["id"])')
curl -fs -X PATCH $B/api/v1/queues/$Q -H "authorization: Bearer $T" -H 'content-type: application/json' -d '{"records_calls":true}' >/dev/null
curl -fs $B/webhooks/voice/rustpbx/step -H 'x-baylanys-token: bench-token' -H 'content-type: application/json' \
  -d '{"session_id":"bench-1@127.0.0.1","app_execution_id":1,"step_index":0,"caller":"sip:+77011230001@127.0.0.1","callee":"sip:1000@127.0.0.1","event":{"type":"session_start"}}' >/dev/null
[ -f ${TMPDIR:-/tmp}/rec.wav ] || head -c $((100*1024*1024)) /dev/urandom > ${TMPDIR:-/tmp}/rec.wav
hwm() { awk '/VmHWM/{print $2}' /proc/$PID/status; }
rss() { awk '/VmRSS/{print $2}' /proc/$PID/status; }
echo "idle: rss $(rss) kB, peak $(hwm) kB"
S=$(date +%s.%N)
curl -fs $B/webhooks/voice/rustpbx/recordings -H 'x-baylanys-token: bench-token' \
  -F call_id=bench-1@127.0.0.1 -F track_id=mixed -F "recording=@${TMPDIR:-/tmp}/rec.wav;type=audio/wav" >/dev/null
E=$(date +%s.%N)
echo "upload: $(python3 -c "print(round($E-$S,2))") s, peak $(hwm) kB"
# A fresh node for the playback, so its peak is the playback's own.
kill $PID; wait $PID 2>/dev/null || true
BAYLANYS_ADMIN_PASSWORD=change-me-now BAYLANYS_LISTEN=127.0.0.1:$PORT BAYLANYS_RUSTPBX_TOKEN=bench-token \
  "$BIN" >> log 2>&1 &
PID=$!
for i in $(seq 1 100); do curl -fs $B/readyz >/dev/null 2>&1 && break; sleep 0.2; done
T=$(curl -fs $B/api/v1/auth/login -H 'content-type: application/json' -d '{"login":"admin","password":"change-me-now"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
echo "restarted: peak $(hwm) kB"
A=$(curl -fs "$B/api/v1/appeals?channel=voice&limit=1" -H "authorization: Bearer $T" | python3 -c 'import sys,json;print(json.load(sys.stdin)["items"][0]["id"])')
R=$(curl -fs $B/api/v1/appeals/$A/recordings -H "authorization: Bearer $T" | python3 -c 'import sys,json;print(json.load(sys.stdin)[0]["id"])')
S=$(date +%s.%N)
curl -fs $B/api/v1/recordings/$R/audio -H "authorization: Bearer $T" -o ${TMPDIR:-/tmp}/out.wav
E=$(date +%s.%N)
cmp -s ${TMPDIR:-/tmp}/out.wav ${TMPDIR:-/tmp}/rec.wav && same=same || same=DIFFERENT
echo "playback: $(python3 -c "print(round($E-$S,2))") s ($same), peak $(hwm) kB"
rm -rf "$D"
