#!/usr/bin/env bash
# `make run`: seed demo data, start the delivery API and the review UI, say where they are.
# Ctrl-C (or SIGTERM) stops both. Ports, host and library file come from the environment:
#   API_PORT=8100 UI_PORT=8501 HOST=127.0.0.1 CONTENTGEN_DB=./contentgen.db scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
API_PORT=${API_PORT:-8100}
UI_PORT=${UI_PORT:-8501}
export CONTENTGEN_DB=${CONTENTGEN_DB:-$PWD/contentgen.db}
WAIT_S=${WAIT_S:-120}

echo "== seeding demo data into $CONTENTGEN_DB (offline model unless OPENAI_API_KEY is set)"
# A fresh demo token each run: the plaintext is shown once and never stored.
seed_out=$("$BIN/contentgen" demo seed --rotate-token)
echo "$seed_out"
token=$(printf '%s\n' "$seed_out" | tail -n 1)

pids=()
stop() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop EXIT
trap 'stop; exit 0' INT TERM

"$BIN/contentgen" serve --host "$HOST" --port "$API_PORT" --log-level warning &
pids+=($!)
"$BIN/streamlit" run review_ui/app.py \
    --server.address "$HOST" --server.port "$UI_PORT" --server.headless true \
    --server.fileWatcherType none --browser.gatherUsageStats false --client.toolbarMode minimal \
    --logger.level warning &
pids+=($!)

# Both answer before we say they do.
"$BIN/python" - "$HOST" "$API_PORT" "$UI_PORT" "$WAIT_S" <<'PY'
import sys, time, urllib.request
host, api, ui, wait_s = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
urls = [f"http://{host}:{api}/openapi.json", f"http://{host}:{ui}/_stcore/health"]
deadline = time.monotonic() + wait_s
for url in urls:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"{url} did not answer within {wait_s:.0f}s")
        time.sleep(0.3)
PY

cat <<MSG

== contentgen is running
  review UI     http://$HOST:$UI_PORT
  delivery API  http://$HOST:$API_PORT   (spec: http://$HOST:$API_PORT/openapi.json)
  logins        olivia (operator), rui (reviewer), chen (compliance), admin (admin); password demo1234
  API token     $token
  try           curl -H "Authorization: Bearer $token" http://$HOST:$API_PORT/v1/materials
  Ctrl-C stops both.
MSG

# Whichever stops first takes the other down with it.
wait -n "${pids[@]}"
