#!/usr/bin/env bash
# Runs the JMH micro benchmarks of this module; builds target/benchmarks.jar first when it is
# missing or older than the sources. Short but meaningful defaults (3 warm-up and 5 measured
# iterations of 1 s, one fork, one thread); override them with JMH_OPTS, and pass JMH arguments
# (a benchmark regex, -rf json, -prof gc, ...) after them:
#   benchmarks/jmh/run.sh                       all benchmarks
#   benchmarks/jmh/run.sh ConditionBenchmark    only the condition
#   JMH_OPTS="-wi 5 -i 10 -f 2" benchmarks/jmh/run.sh
# Needs the router, store and api installed in the local Maven repository
# (mvn -B install -pl bundles/router,bundles/store -am).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar="$here/target/benchmarks.jar"
# the router and store jars in the local repository count as sources: benchmark the code just installed
router_jars=$(find "${HOME}/.m2/repository/io/gatehouse/gatehouse-router" \
  "${HOME}/.m2/repository/io/gatehouse/gatehouse-store" -name '*.jar' 2>/dev/null || true)
# shellcheck disable=SC2086 # a list of paths
if [ ! -f "$jar" ] || [ -n "$(find "$here/src" "$here/pom.xml" $router_jars -newer "$jar" -print -quit)" ]; then
  echo "building $jar" >&2
  mvn -B -q -f "$here/pom.xml" package
fi
java=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
# shellcheck disable=SC2086 # JMH_OPTS is a list of options
exec "$java" -jar "$jar" ${JMH_OPTS:--wi 3 -i 5 -w 1s -r 1s -f 1 -t 1} "$@"
