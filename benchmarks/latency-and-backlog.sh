#!/usr/bin/env bash
# Two measurements side by side with Mosquitto, with the common load tool:
#  1. latency at a fixed rate: 4 publishers x RATE msg/s (default 500: 2,000 msg/s in all), QoS 1,
#     256-byte JSON; p50/p99 of routed telemetry through Gatehouse against plain pub/sub through
#     Mosquitto, and their ratio;
#  2. a backlog: BACKLOG messages (default 100,000) published while the subscriber is away, then the
#     subscriber connects: time from its connect to the first message (with mosquitto_sub -C 1,
#     connect and subscribe included) and the rate at which the rest drains.
# Usage: benchmarks/latency-and-backlog.sh [rate-per-publisher] [backlog]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
rate=${1:-500}
backlog=${2:-100000}
per_pub=$(( backlog / 4 ))
seconds=10
command -v mosquitto_sub >/dev/null || { echo "needs mosquitto-clients" >&2; exit 2; }
ms() { date +%s%3N; }

start_mosquitto
start_gatehouse
module_token=$("$home/bin/gatehouse" identity token edge1 --module sink)

echo "== latency at $((4 * rate)) msg/s" >&2
plain_load --messages 5000 > /dev/null   # warm-up
routed_load --messages 20000 > /dev/null # warm-up
# and a warm-up at the measured rate: one message per socket read takes other paths than the batches
# of a flood, and the JIT compiles them only once they run (the first rated run after a flood has a
# p99 2-3 times its steady one); both brokers get it.
plain_load --messages $(( rate * 5 )) --rate "$rate" > /dev/null
routed_load --messages $(( rate * 5 )) --rate "$rate" > /dev/null
plain_load --messages $(( rate * seconds )) --rate "$rate" | tail -1 | tee "$work/m-lat.json"
routed_load --messages $(( rate * seconds )) --rate "$rate" | tail -1 | tee "$work/g-lat.json"

echo "== backlog of $backlog messages, subscriber away" >&2
# The same C client (mosquitto_sub, QoS 1) takes the backlog from both: first one message, timed
# from its connect, then the rest.
m_sub=(mosquitto_sub -h 127.0.0.1 -p "$mport" -V mqttv311 -q 1 -c -i sink -t 'bench/#')
g_sub=(mosquitto_sub -h 127.0.0.1 -p "$GATEHOUSE_MQTT_PORT" -V mqttv311 -q 1 -i edge1/sink
  -u "$GATEHOUSE_IOTHUB_HOSTNAME/edge1/sink/?api-version=2021-04-12" -P "$module_token"
  -t 'devices/edge1/modules/sink/inputs/#')
# Mosquitto keeps messages for a persistent session only: open one (clean session off) first.
"${m_sub[@]}" -C 1 -W 1 >/dev/null 2>&1 || true
"$load" --port "$mport" --pubs 4 --subs 0 --qos 1 --messages "$per_pub" > /dev/null
routed_load --subs 0 --messages "$per_pub" > /dev/null
take() { # name, command...: first-message time and drain of the rest
  local name=$1; shift
  local t0 t1 t2
  t0=$(ms); "$@" -C 1 >/dev/null; t1=$(ms)
  "$@" -C $(( backlog - 1 )) -W 300 >/dev/null; t2=$(ms)
  echo "$name $((t1 - t0)) $((t2 - t1))"
}
take mosquitto "${m_sub[@]}" > "$work/m-backlog"
take gatehouse "${g_sub[@]}" > "$work/g-backlog"

python3 - "$work" "$backlog" <<'PY'
import json, sys, os
w = sys.argv[1]
load = lambda n: json.load(open(os.path.join(w, n)))
m, g = load("m-lat.json"), load("g-lat.json")
print(f"p99 at fixed rate: gatehouse {g['lat_p99_ms']:.1f} ms, mosquitto {m['lat_p99_ms']:.1f} ms, "
      f"ratio {g['lat_p99_ms'] / max(m['lat_p99_ms'], 1e-3):.2f} (p50 {g['lat_p50_ms']:.1f} / {m['lat_p50_ms']:.1f} ms)")
backlog = int(sys.argv[2])
for name in ("gatehouse", "mosquitto"):
    _, first, rest = open(os.path.join(w, name[0] + "-backlog")).read().split()
    rate = (backlog - 1) / max(int(rest) / 1000, 1e-3)
    print(f"backlog {name}: first message {first} ms after connect, then {backlog - 1} in {int(rest) / 1000:.2f} s ({rate:.0f} msg/s)")
PY
