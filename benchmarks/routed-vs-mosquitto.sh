#!/usr/bin/env bash
# Routed QoS 1 telemetry through Gatehouse (4 devices -> route -> 1 module input, 256-byte JSON)
# against plain QoS 1 pub/sub through Mosquitto, one run after the other on this machine, with the
# common yardstick (../shared/bench/mqtt-load). Prints both JSON results and the ratio of received
# messages per second. Usage: benchmarks/routed-vs-mosquitto.sh [messages-per-publisher]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
messages=${1:-50000}
# Each broker first gets an unmeasured warm-up run: the JVM compiles its hot paths in the first
# tens of thousands of messages, and a gateway runs for months, not seconds.
warmup=${WARMUP_MESSAGES:-20000}

start_mosquitto
echo "== Mosquitto $(mosquitto -h 2>/dev/null | head -1 | awk '{print $3}') plain QoS 1" >&2
plain_load --messages "$warmup" > /dev/null
plain_load --messages "$messages" | tail -1 | tee "$work/mosquitto.json"

start_gatehouse
echo "== Gatehouse routed QoS 1 (device -> route -> store -> module input)" >&2
routed_load --messages "$warmup" > /dev/null
routed_load --messages "$messages" | tail -1 | tee "$work/gatehouse.json"

python3 - "$work/mosquitto.json" "$work/gatehouse.json" "$(gatehouse_rss_mib)" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); g = json.load(open(sys.argv[2]))
ratio = g["recv_rate"] / m["recv_rate"]
print(f"ratio gatehouse/mosquitto (received msg/s): {ratio:.2f}  "
      f"(gatehouse {g['recv_rate']:.0f}/s, mosquitto {m['recv_rate']:.0f}/s, gatehouse RSS {sys.argv[3]} MiB)")
PY
