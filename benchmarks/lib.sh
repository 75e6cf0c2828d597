# Shared by the comparison scripts: starts Mosquitto and Gatehouse on free loopback ports and runs
# the common load tool against each. Source it; it cleans up on exit.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
load=${MQTT_LOAD:-$root/../shared/bench/mqtt-load/run}
home=${GATEHOUSE_HOME:-$root/distribution/target/gatehouse}
[ -x "$home/bin/gatehouse" ] || { echo "build first: mvn -B install -DskipTests" >&2; exit 2; }
command -v mosquitto >/dev/null || { echo "needs mosquitto (apt-get install mosquitto)" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Mosquitto drops QoS 1 messages beyond 1000 queued per client by default; Gatehouse never drops
# an acknowledged message, so the baseline gets room to deliver everything too. Both deliver with
# the same window of 100 unacknowledged messages to the subscriber (Mosquitto's default is 20).
start_mosquitto() {
  mport=$(free_port)
  printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_queued_bytes 0\nmax_inflight_messages 100\n' \
    "$mport" > "$work/mosquitto.conf"
  mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
  pids+=($!)
  sleep 1
}

# Plain QoS 1 pub/sub through Mosquitto: 4 publishers -> 1 subscriber; extra load-tool options follow.
plain_load() {
  "$load" --port "$mport" --pubs 4 --subs 1 --qos 1 "$@"
}

# Gatehouse with devices dev0..dev3 and module edge1/sink sharing one key, and a route of every
# device message into the module's input in1.
start_gatehouse() {
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
}

# Routed QoS 1 telemetry: devices dev0..dev3 -> route -> store -> module input of edge1/sink.
routed_load() {
  "$load" --port "$GATEHOUSE_MQTT_PORT" --iothub "$GATEHOUSE_IOTHUB_HOSTNAME" --key "$key" \
    --pubs 4 --pub-id 'dev{i}' --pub-topic 'devices/{id}/messages/events/$.ct=application%2Fjson&$.ce=utf-8' \
    --subs 1 --sub-id 'edge1/sink' --sub-topic 'devices/edge1/modules/sink/inputs/#' --qos 1 "$@"
}

gatehouse_rss_mib() {
  local pid
  pid=$(pgrep -f "gatehouse.data=$GATEHOUSE_DATA" | head -1)
  echo $(( $(ps -o rss= -p "$pid" 2>/dev/null || echo 0) / 1024 ))
}
