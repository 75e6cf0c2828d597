#!/usr/bin/env bash
# The agent's own figures: time from POST /api/deployment to every module running, for N process
# modules, then the agent thread's and the whole gateway's CPU time and the RSS over an idle minute
# with those modules running. Usage: benchmarks/agent-deploy-and-idle.sh [modules] [idle-seconds]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
home=${GATEHOUSE_HOME:-$here/../distribution/target/gatehouse}
[ -x "$home/bin/gatehouse" ] || { echo "build first: mvn -B install -DskipTests" >&2; exit 2; }
modules=${1:-10}
idle=${2:-60}
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export GATEHOUSE_DATA="$work/data" GATEHOUSE_MQTT_PORT=$(free_port) GATEHOUSE_HTTP_PORT=$(free_port)
export GATEHOUSE_MQTT_TLS_PORT=$(free_port)
cleanup() { "$home/bin/gatehouse" stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
"$home/bin/gatehouse" start >/dev/null
for _ in $(seq 1 120); do "$home/bin/gatehouse" health >/dev/null 2>&1 && break; sleep 0.5; done
api="http://127.0.0.1:$GATEHOUSE_HTTP_PORT"

python3 - "$modules" > "$work/deployment.json" <<'PY'
import json, sys
n = int(sys.argv[1])
modules = {f"worker{i}": {"type": "process", "status": "running", "restartPolicy": "always", "version": "1.0",
                          "startupOrder": i % 3,
                          "settings": {"command": ["sh", "-c", "echo started; exec sleep 100000"]}} for i in range(n)}
print(json.dumps({"modulesContent": {
    "$edgeAgent": {"properties.desired": {"schemaVersion": "1.1", "systemModules": {}, "modules": modules}},
    "$edgeHub": {"properties.desired": {"schemaVersion": "1.1", "routes": {},
                                 "storeAndForwardConfiguration": {"timeToLiveSecs": 7200}}}}}))
PY

# Deploy, then poll the reported state until every module runs; the time is measured in one process.
python3 - "$api" "$work/deployment.json" "$modules" <<'PY'
import json, sys, time, urllib.error, urllib.request
api, manifest, n = sys.argv[1], open(sys.argv[2], "rb").read(), int(sys.argv[3])
t0 = time.monotonic()
req = urllib.request.Request(api + "/api/deployment", data=manifest, method="POST",
                             headers={"Content-Type": "application/json"})
try:
    urllib.request.urlopen(req).read()
except urllib.error.HTTPError as e:
    sys.exit(f"deployment refused: {e.code} {e.read().decode()}")
accepted = time.monotonic() - t0
while True:
    r = json.load(urllib.request.urlopen(api + "/api/agent"))
    m = r.get("modules", {})
    if len(m) == n and all(v.get("runtimeStatus") == "running" for v in m.values()):
        break
    time.sleep(0.005)
print(f"deploy -> {n} process modules running: {(time.monotonic() - t0) * 1000:.0f} ms "
      f"(deployment accepted after {accepted * 1000:.0f} ms)")
PY

pid=$(cat "$GATEHOUSE_DATA/gatehouse.pid")
agent=$(grep -l "^gatehouse-agent$" /proc/"$pid"/task/*/comm | xargs dirname)
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "$1/stat"; }
sleep 5 # let the start settle
a0=$(cpu "$agent"); p0=$(cpu /proc/"$pid")
sleep "$idle"
a1=$(cpu "$agent"); p1=$(cpu /proc/"$pid")
echo "idle ${idle} s with $modules modules: agent thread $(( (a1 - a0) * 1000 / ticks )) ms CPU," \
  "whole gateway $(( (p1 - p0) * 1000 / ticks )) ms CPU, RSS $(( $(awk '/VmRSS/ {print $2}' /proc/"$pid"/status) / 1024 )) MiB"
