#!/usr/bin/env bash
# Fuzzes one target with Jazzer for a given time, and says how many inputs ran and what was found.
#
#   scripts/fuzz.sh TARGET DURATION [libFuzzer flags...]
#
#   TARGET    codec          JsonRpcCodec.decode on arbitrary bytes, then the round trip  (mcp-pool-core)
#             codec-encode   JsonRpcCodec.encode of arbitrary messages, then decode       (mcp-pool-core)
#             config         ConfigLoader on YAML, TOML and mcpServers JSON, with env     (mcp-pool-core)
#             gateway        HTTP requests to an in-process gateway                       (mcp-pool-gateway)
#   DURATION  10m, 600s, 1h or a number of seconds
#
# The fuzz tests are the ordinary @FuzzTest methods that `mvn verify` runs over their committed inputs; this runs
# one of them in Jazzer's fuzzing mode (JAZZER_FUZZ=1) on the JUnit platform in a JVM of its own (see
# scripts/FuzzTestRunner.java), with these limits (environment variables override them):
#   FUZZ_XMX=768m        the JVM's heap: a run that keeps more than this fails with OutOfMemoryError, a finding
#   FUZZ_RSS_MB=2048     libFuzzer's -rss_limit_mb: the whole process's resident memory (heap, direct buffers,
#                        threads, native), checked every second; above it the input at hand is the finding
#   FUZZ_TIMEOUT=        libFuzzer's -timeout in seconds for one input (a hang); default: the fuzz test's
#                        @Timeout (10 s for codec and config, 30 s for gateway)
# libFuzzer's -malloc_limit_mb is not used: Java objects are not allocated with malloc, so it would not see
# them. -Xmx, and the per-input allocation bounds the codec and config tests assert, stand for it.
#
# Inputs that find something are written by Jazzer into the target's inputs directory under src/test/resources
# (crash-*, timeout-*, oom-*), where `mvn verify` runs them from then on. The growing corpus is kept in
# MODULE/target/fuzz/TARGET/corpus (reused by the next run, gone with mvn clean). The run's output is in
# MODULE/target/fuzz/TARGET/run-DATE.log and its summary in run-DATE.txt. docs/fuzzing.md has the details.
#
# MVN_ARGS adds flags to the Maven call that compiles the tests (e.g. MVN_ARGS=-o to stay offline).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
[[ $# -ge 2 ]] || usage
target=$1
duration=$2
shift 2

# What each target runs, and which classes Jazzer instruments for coverage beyond the project's own: the parsers
# the input reaches first (Jackson, SnakeYAML) are where the fuzzer learns most about the input's shape.
case "$target" in
  codec)        module=mcp-pool-core;    class=io.mcppool.fuzz.JsonRpcCodecFuzzTest; method=decodeThenEncode
                instrument="io.mcppool.**,com.fasterxml.jackson.core.**,com.fasterxml.jackson.databind.deser.**" ;;
  codec-encode) module=mcp-pool-core;    class=io.mcppool.fuzz.JsonRpcCodecFuzzTest; method=encodeThenDecode
                instrument="io.mcppool.**,com.fasterxml.jackson.core.**" ;;
  config)       module=mcp-pool-core;    class=io.mcppool.fuzz.ConfigLoaderFuzzTest; method=loadConfigText
                instrument="io.mcppool.**,com.fasterxml.jackson.dataformat.**,org.yaml.snakeyaml.**" ;;
  gateway)      module=mcp-pool-gateway; class=io.mcppool.gateway.fuzz.GatewayRequestFuzzTest; method=request
                instrument="io.mcppool.**" ;;
  *) echo "fuzz: unknown target '$target' (codec, codec-encode, config, gateway)" >&2; exit 2 ;;
esac

if [[ $duration =~ ^([0-9]+)(s|m|h)?$ ]]; then
  seconds=${BASH_REMATCH[1]}
  case "${BASH_REMATCH[2]}" in
    m) seconds=$((seconds * 60)) ;;
    h) seconds=$((seconds * 3600)) ;;
  esac
else
  echo "fuzz: DURATION must be like 10m, 600s, 1h or 600, not '$duration'" >&2
  exit 2
fi
(( seconds > 0 )) || { echo "fuzz: DURATION must be more than 0" >&2; exit 2; }

source "$root/scripts/find-jdk.sh"
cd "$root"

out="$root/$module/target/fuzz/$target"
mkdir -p "$out/corpus"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
log="$out/run-$stamp.log"
summary="$out/run-$stamp.txt"

echo "fuzz: compiling $module and its tests" >&2
build_log=$(mktemp)
# shellcheck disable=SC2086
if ! mvn -B -q ${MVN_ARGS:-} -pl "$module" -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/fuzz.classpath -DincludeScope=test -DexcludeGroupIds=io.mcppool >"$build_log" 2>&1; then
  cat "$build_log" >&2
  rm -f "$build_log"
  exit 1
fi
rm -f "$build_log"
# the reactor's fresh classes first (never jars from ~/.m2, which may be older than this checkout)
cp="$root/$module/target/test-classes:$root/$module/target/classes"
for m in mcp-pool-core mcp-pool-testkit; do
  [[ $m == "$module" ]] || cp="$cp:$root/$m/target/classes"
done
cp="$cp:$(cat "$root/$module/target/fuzz.classpath")"

inputs="$root/$module/src/test/resources/$(echo "$class" | sed 's/\.[^.]*$//; s/\./\//g')/${class##*.}Inputs/$method"
mkdir -p "$inputs"
before=$(ls "$inputs")

args=(fuzz "$out/corpus" "-max_total_time=$seconds" "-print_final_stats=1" "-rss_limit_mb=${FUZZ_RSS_MB:-2048}")
[[ -n ${FUZZ_TIMEOUT:-} ]] && args+=("-timeout=$FUZZ_TIMEOUT")
args+=("$@")
props=()
for i in "${!args[@]}"; do
  props+=("-Djazzer.internal.arg.$i=${args[$i]}")
done

echo "fuzz: $target ($class#$method) for ${seconds}s; log $log" >&2
started=$(date +%s)
set +e
# Jazzer finds its inputs directory and writes findings relative to the module (as under surefire).
# JUnit's timeouts are off: a fuzzing run is one long invocation of the test method, which the test's @Timeout
# (meant for one input) would end; libFuzzer's -timeout, which Jazzer takes from that @Timeout, bounds each input.
(cd "$root/$module" && JAZZER_FUZZ=1 java "-Xmx${FUZZ_XMX:-768m}" -XX:+EnableDynamicAgentLoading \
    -Djunit.jupiter.execution.timeout.mode=disabled -Djazzer.hooks=true -Djazzer.instrument="$instrument" \
    -Dlogback.configurationFile="$root/scripts/fuzz-logback.xml" "${props[@]}" -cp "$cp" \
    "$root/scripts/FuzzTestRunner.java" "$class" "$method") >"$log" 2>&1
status=$?
set -e
elapsed=$(( $(date +%s) - started ))

after=$(ls "$inputs")
found=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d')
# (|| true: a run that ended before libFuzzer started has none of these lines)
stat() { { grep -a "^stat::$1:" "$log" || true; } | tail -n 1 | awk '{print $2}'; }
last=$({ grep -aE '^#[0-9]+' "$log" || true; } | tail -n 1)
{
  echo "target:            $target ($class#$method)"
  echo "commit:            $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- "$module" || echo ' (with uncommitted changes)')"
  echo "date:              $stamp"
  echo "duration:          ${elapsed}s (asked ${seconds}s)"
  echo "inputs executed:   $(stat number_of_executed_units)"
  echo "executions/s:      $(stat average_exec_per_sec)"
  echo "new corpus units:  $(stat new_units_added)"
  echo "slowest input:     $(stat slowest_unit_time_sec)s"
  echo "peak RSS:          $(stat peak_rss_mb) MB (limit ${FUZZ_RSS_MB:-2048} MB, heap -Xmx${FUZZ_XMX:-768m})"
  echo "last status line:  $last"
  echo "corpus:            $(find "$out/corpus" -type f | wc -l) inputs in $out/corpus"
  if [[ -n $found ]]; then
    echo "findings:          $(echo "$found" | wc -l), in $inputs:"
    echo "$found" | sed 's/^/                   /'
  else
    echo "findings:          none"
  fi
  echo "exit status:       $status ($( ((status == 0)) && echo 'the fuzz test passed' || echo 'see the log'))"
} | tee "$summary"
exit "$status"
