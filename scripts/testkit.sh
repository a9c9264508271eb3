#!/usr/bin/env bash
# Runs a testkit server from this checkout (io.mcppool.testkit.TestkitServer), after compiling the testkit and
# core. The arguments are the server's own: see 'scripts/testkit.sh --help' and mcp-pool-testkit/README.md.
#
#   scripts/testkit.sh --http --port 0 --conformance    the conformance suite's fixtures over Streamable HTTP;
#                                                       the first stderr line says the URL
#   scripts/testkit.sh --stdio --conformance            the same over stdio (a gateway's upstream)
#
# MVN_ARGS adds flags to the Maven call (e.g. MVN_ARGS=-o to stay offline).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/find-jdk.sh"
cd "$root"
# stdout may be a stdio server's protocol stream and stderr's first line names the HTTP URL: Maven's output
# goes to a file, shown only when the build fails
log=$(mktemp)
# shellcheck disable=SC2086
if ! mvn -B -q ${MVN_ARGS:-} -pl mcp-pool-testkit -am compile \
  dependency:build-classpath -Dmdep.outputFile="$root/mcp-pool-testkit/target/runtime.classpath" \
  -DincludeScope=runtime >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
deps=$(cat "$root/mcp-pool-testkit/target/runtime.classpath")
# the reactor's fresh classes first: the core jar in the local repository may be older than this checkout
cp="$root/mcp-pool-testkit/target/classes:$root/mcp-pool-core/target/classes:$deps"
exec java -cp "$cp" io.mcppool.testkit.TestkitServer "$@"
