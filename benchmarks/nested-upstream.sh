#!/usr/bin/env bash
# Child gateway -> parent gateway, side by side with Mosquitto (a child Mosquitto bridging to a parent
# Mosquitto, which is what a plant would otherwise run), with the common load tool:
#  1. throughput: 4 devices publish QoS 1 256-byte JSON to the child as fast as 500 in flight allow; the
#     child forwards upstream (Gatehouse: route FROM /messages/* INTO $upstream, durable store, each
#     message on its device's identity with the reference's batch of 10: over AMQPS, one multiplexed
#     connection sending batches (the default), or over MQTT/TLS, one connection per identity;
#     Mosquitto: a QoS 1 bridge, plain TCP); a subscriber on the parent counts what arrives: messages per second end to end;
#  2. a backlog: the parent stops, BACKLOG messages (default 100,000) are published to the child, the
#     parent starts again: time from the parent listening again to the first drained message arriving
#     there, and the drain rate of the rest.
# Usage: benchmarks/nested-upstream.sh [messages-per-publisher] [backlog] [amqps|mqtts]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
per_pub=${1:-25000}
backlog=${2:-100000}
protocol=${3:-amqps}
case $protocol in amqps) parent_port_file=amqps ;; mqtts) parent_port_file=tls ;;
  *) echo "protocol: amqps or mqtts" >&2; exit 2 ;; esac
backlog_per_pub=$(( backlog / 4 ))
throughput=$(( per_pub * 4 ))
command -v mosquitto_sub >/dev/null || { echo "needs mosquitto-clients" >&2; exit 2; }
ms() { date +%s%3N; }
iothub=bench.example.net
key=$(head -c 32 /dev/urandom | base64)

# --- Gatehouse: parent "plant", child "line1" ------------------------------------------------
gh_env() { # name: the environment of that gateway for bin/gatehouse
  local d=$work/$1
  echo "GATEHOUSE_DATA=$d GATEHOUSE_MQTT_PORT=$(cat "$d.mqtt") GATEHOUSE_HTTP_PORT=$(cat "$d.http")" \
    "GATEHOUSE_MQTT_TLS_PORT=$(cat "$d.tls") GATEHOUSE_AMQPS_PORT=$(cat "$d.amqps") GATEHOUSE_AMQP_PORT=$(cat "$d.amqp")" \
    "GATEHOUSE_IOTHUB_HOSTNAME=$iothub GATEHOUSE_DEPLOYMENT=$work/none.json"
}
gh() { local name=$1; shift; env $(gh_env "$name") ${extra[$name]:-} "$home/bin/gatehouse" "$@"; }
declare -A extra
gh_start() {
  local name=$1
  for p in mqtt http tls amqps amqp; do [ -f "$work/$name.$p" ] || free_port > "$work/$name.$p"; done
  gh "$name" run >> "$work/$name.log" 2>&1 < /dev/null &
  echo $! > "$work/$name.pid"
  pids+=($!)
  for _ in $(seq 1 240); do gh "$name" health >/dev/null 2>&1 && return; sleep 0.05; done
  echo "$name did not start" >&2; tail -30 "$work/$name.log" >&2; exit 1
}
gh_stop() { gh "$1" stop >/dev/null; }
queue_appended() { # gateway endpoint: the appended counter of that queue (0 when absent)
  curl -s "http://127.0.0.1:$(cat "$work/$1.http")/api/queues" | python3 -c '
import json, sys
print(sum(q["appended"] for q in json.load(sys.stdin) if q["endpointId"] == sys.argv[1]))' "$2"
}

extra[plant]="GATEHOUSE_DEVICE_ID=plant"
gh_start plant
child_key=$(gh plant identity add line1 --edge --key "$key" >/dev/null && echo "$key")
for i in 0 1 2 3; do gh plant identity add "pub-$i" --parent line1 --key "$key" >/dev/null; done
gh plant identity add plant --module observer --key "$key" >/dev/null
cat > "$work/parent.json" <<'JSON'
{"modulesContent":{"$edgeHub":{"properties.desired":{"schemaVersion":"1.1",
  "routes":{"tree":"FROM /messages/* INTO BrokeredEndpoint(\"/modules/observer/inputs/tree\")"},
  "storeAndForwardConfiguration":{"timeToLiveSecs":7200}}}}}
JSON
gh plant deploy "$work/parent.json" >/dev/null
extra[line1]="GATEHOUSE_DEVICE_ID=line1 GATEHOUSE_UPSTREAM_HOSTNAME=localhost GATEHOUSE_UPSTREAM_PROTOCOL=$protocol
  GATEHOUSE_UPSTREAM_PORT=$(cat "$work/plant.$parent_port_file")
  GATEHOUSE_UPSTREAM_CA=$work/plant/certs/edge-ca.pem GATEHOUSE_DEVICE_KEY=$child_key"
gh_start line1
cat > "$work/child.json" <<'JSON'
{"modulesContent":{"$edgeAgent":{"properties.desired":{"schemaVersion":"1.1","runtime":{"type":"docker","settings":{}},
  "systemModules":{},"modules":{}}},
  "$edgeHub":{"properties.desired":{"schemaVersion":"1.1","routes":{"up":"FROM /messages/* INTO $upstream"},
  "storeAndForwardConfiguration":{"timeToLiveSecs":7200}}}}}
JSON
gh plant deploy --device line1 "$work/child.json" >/dev/null
# the child applies it once it has read its twins from the parent
for _ in $(seq 1 200); do
  curl -s "http://127.0.0.1:$(cat "$work/line1.http")/api/deployment" | grep -q upstream && break; sleep 0.1; done

gh_publish() { # messages per publisher
  "$load" --port "$(cat "$work/line1.mqtt")" --iothub "$iothub" --key "$key" --pubs 4 --pub-id 'pub-{i}' \
    --pub-topic 'devices/{id}/messages/events/$.ct=application%2Fjson' --subs 0 --qos 1 --messages "$1" --timeout 600
}
gh_subscribe() { # expected messages per publisher
  "$load" --port "$(cat "$work/plant.mqtt")" --iothub "$iothub" --key "$key" --pubs 0 --subs 1 \
    --sub-id 'plant/observer' --sub-topic 'devices/plant/modules/observer/inputs/#' --qos 1 \
    --messages "$1" --expect $(( $1 * 4 )) --timeout 600 --drain 10
}
echo "== gatehouse: throughput, $throughput messages child -> parent over $protocol" >&2
gh_publish 5000 > /dev/null; gh_subscribe 5000 > /dev/null   # warm-up
gh_subscribe "$per_pub" > "$work/g-sub.json" & sub=$!
sleep 1
gh_publish "$per_pub" > "$work/g-pub.json"
wait $sub

echo "== gatehouse: backlog of $backlog with the parent away" >&2
before=$(queue_appended plant plant/observer/tree)
gh_stop plant
gh_publish "$backlog_per_pub" > "$work/g-backlog-pub.json"
t0=$(ms); gh_start plant; t_up=$(ms)
t_first=""
while :; do
  n=$(queue_appended plant plant/observer/tree)
  [ -z "$t_first" ] && [ "$n" -gt "$before" ] && t_first=$(ms)
  [ "$n" -ge $(( before + backlog )) ] && break
  sleep 0.02
done
t_done=$(ms)
echo "gatehouse $((t_up - t0)) $((t_first - t_up)) $((t_done - t_first))" > "$work/g-backlog"
gh_stop line1; gh_stop plant

# --- Mosquitto: child bridging bench/# to the parent ------------------------------------------
pport=$(free_port); cport=$(free_port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_queued_bytes 0\nmax_inflight_messages 100\npersistence true\npersistence_location %s/\n' \
  "$pport" "$work" > "$work/m-parent.conf"
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_queued_bytes 0\nmax_inflight_messages 100\nconnection up\naddress 127.0.0.1:%s\ntopic bench/# out 1\ncleansession false\nrestart_timeout 1 5\n' \
  "$cport" "$pport" > "$work/m-child.conf"
m_parent() { mosquitto -c "$work/m-parent.conf" > "$work/m-parent.log" 2>&1 & echo $! > "$work/m-parent.pid"; pids+=($(cat "$work/m-parent.pid")); }
m_parent
mosquitto -c "$work/m-child.conf" > "$work/m-child.log" 2>&1 & pids+=($!)
sleep 2
m_publish() { "$load" --port "$cport" --pubs 4 --subs 0 --qos 1 --messages "$1" --timeout 600; }
m_subscribe() { "$load" --port "$pport" --pubs 0 --subs 1 --qos 1 --messages "$1" --expect $(( $1 * 4 )) --timeout 600 --drain 10; }
echo "== mosquitto: throughput, $throughput messages child -> parent (bridge)" >&2
m_subscribe 5000 > /dev/null & sub=$!; sleep 1; m_publish 5000 > /dev/null; wait $sub   # warm-up
m_subscribe "$per_pub" > "$work/m-sub.json" & sub=$!
sleep 1
m_publish "$per_pub" > "$work/m-pub.json"
wait $sub

echo "== mosquitto: backlog of $backlog with the parent away" >&2
m_sub=(mosquitto_sub -h 127.0.0.1 -p "$pport" -V mqttv311 -q 1 -c -i sink -t 'bench/#')
"${m_sub[@]}" -C 1 -W 1 >/dev/null 2>&1 || true   # a persistent session on the parent, kept across its restart
kill "$(cat "$work/m-parent.pid")"; sleep 1
m_publish "$backlog_per_pub" > "$work/m-backlog-pub.json"
t0=$(ms); m_parent
until (exec 3<>/dev/tcp/127.0.0.1/"$pport") 2>/dev/null; do sleep 0.01; done; t_up=$(ms)
"${m_sub[@]}" -C 1 > /dev/null; t_first=$(ms)
"${m_sub[@]}" -C $(( backlog - 1 )) -W 300 > /dev/null; t_done=$(ms)
echo "mosquitto $((t_up - t0)) $((t_first - t_up)) $((t_done - t_first))" > "$work/m-backlog"

python3 - "$work" "$backlog" <<'PY'
import json, os, sys
w, backlog = sys.argv[1], int(sys.argv[2])
def last(name):
    return json.loads(open(os.path.join(w, name)).read().strip().splitlines()[-1])
g, m = last("g-sub.json"), last("m-sub.json")
print("subscriber on the parent, gatehouse:", json.dumps(g))
print("subscriber on the parent, mosquitto:", json.dumps(m))
gr, mr = g['recv_rate'], m['recv_rate']
print(f"throughput child -> parent: gatehouse {gr:.0f} msg/s, mosquitto bridge {mr:.0f} msg/s, ratio {gr / max(mr, 1e-9):.2f}")
for name in ("gatehouse", "mosquitto"):
    _, up, first, rest = open(os.path.join(w, name[0] + "-backlog")).read().split()
    rate = (backlog - 1) / max(int(rest) / 1000, 1e-3)
    print(f"backlog {name}: parent listening {up} ms after its start, first drained message {first} ms later, "
          f"then the rest in {int(rest) / 1000:.2f} s ({rate:.0f} msg/s)")
PY
