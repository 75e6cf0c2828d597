#!/usr/bin/env bash
# Routed QoS 1 telemetry through Gatehouse (4 devices -> route -> 1 module input, 256-byte JSON)
# against plain QoS 1 pub/sub through Mosquitto, one run after the other on this machine, with the
# common yardstick (../shared/bench/mqtt-load). Prints both JSON results and the ratio of received
# messages per second. Usage: benchmarks/routed-vs-mosquitto.sh [messages-per-publisher]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
load=${MQTT_LOAD:-$root/../shared/bench/mqtt-load/run}
home=${GATEHOUSE_HOME:-$root/distribution/target/gatehouse}
messages=${1:-50000}
# Each broker first gets an unmeasured warm-up run: the JVM compiles its hot paths in the first
# tens of thousands of messages, and a gateway runs for months, not seconds.
warmup=${WARMUP_MESSAGES:-20000}
[ -x "$home/bin/gatehouse" ] || { echo "build first: mvn -B install -DskipTests" >&2; exit 2; }
command -v mosquitto >/dev/null || { echo "needs mosquitto (apt-get install mosquitto)" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- Mosquitto: plain QoS 1, 4 publishers -> 1 subscriber
mport=$(free_port)
# Mosquitto drops QoS 1 messages beyond 1000 queued per client by default; Gatehouse never drops
# an acknowledged message, so the baseline gets room to deliver everything too. Both deliver with
# the same window of 100 unacknowledged messages to the subscriber (Mosquitto's default is 20).
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_queued_bytes 0\nmax_inflight_messages 100\n' \
  "$mport" > "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
pids+=($!)
sleep 1
echo "== Mosquitto $(mosquitto -h 2>/dev/null | head -1 | awk '{print $3}') plain QoS 1" >&2
"$load" --port "$mport" --pubs 4 --subs 1 --messages "$warmup" --qos 1 > /dev/null
"$load" --port "$mport" --pubs 4 --subs 1 --messages "$messages" --qos 1 | tail -1 | tee "$work/mosquitto.json"

# --- Gatehouse: routed telemetry into a module input
export GATEHOUSE_DATA="$work/gatehouse" GATEHOUSE_MQTT_PORT=$(free_port) GATEHOUSE_HTTP_PORT=$(free_port)
export GATEHOUSE_IOTHUB_HOSTNAME=bench.example.net GATEHOUSE_DEVICE_ID=edge1
"$home/bin/gatehouse" run > "$work/gatehouse.log" 2>&1 < /dev/null &
pids+=($!)
for _ in $(seq 1 120); do "$home/bin/gatehouse" health >/dev/null 2>&1 && break; sleep 0.5; done
key=$(head -c 32 /dev/urandom | base64)
for id in dev0 dev1 dev2 dev3; do "$home/bin/gatehouse" identity add "$id" --key "$key" >/dev/null; done
"$home/bin/gatehouse" identity add edge1 --module sink --key "$key" >/dev/null
cat > "$work/deployment.json" <<'JSON'
{"modulesContent":{"$edgeHub":{"properties.desired":{"schemaVersion":"1.1",
  "routes":{"telemetryToSink":"FROM /messages/* WHERE NOT is_defined($connectionModuleId) INTO BrokeredEndpoint(\"/modules/sink/inputs/in1\")"},
  "storeAndForwardConfiguration":{"timeToLiveSecs":7200}}}}}
JSON
"$home/bin/gatehouse" deploy "$work/deployment.json" >/dev/null
echo "== Gatehouse routed QoS 1 (device -> route -> store -> module input)" >&2
routed() {
  "$load" --port "$GATEHOUSE_MQTT_PORT" --iothub "$GATEHOUSE_IOTHUB_HOSTNAME" --key "$key" \
    --pubs 4 --pub-id 'dev{i}' --pub-topic 'devices/{id}/messages/events/$.ct=application%2Fjson&$.ce=utf-8' \
    --subs 1 --sub-id 'edge1/sink' --sub-topic 'devices/edge1/modules/sink/inputs/#' --qos 1 --messages "$1"
}
routed "$warmup" > /dev/null
routed "$messages" | tail -1 | tee "$work/gatehouse.json"
rss=$(ps -o rss= -p "$(pgrep -f "gatehouse.data=$GATEHOUSE_DATA" | head -1)" 2>/dev/null || echo 0)

python3 - "$work/mosquitto.json" "$work/gatehouse.json" "$rss" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); g = json.load(open(sys.argv[2]))
def rate(r):
    for k in ("received_per_sec", "recv_rate", "received_rate", "sub_rate"):
        if k in r: return float(r[k])
    raise SystemExit("no receive rate in " + json.dumps(r))
ratio = rate(g) / rate(m)
print(f"ratio gatehouse/mosquitto (received msg/s): {ratio:.2f}  "
      f"(gatehouse {rate(g):.0f}/s, mosquitto {rate(m):.0f}/s, gatehouse RSS {int(sys.argv[3])//1024} MiB)")
PY
