#!/usr/bin/env bash
# mcp-pool as the client of the official MCP conformance suite's client mode:
#
#   node .npm-peers/node_modules/@modelcontextprotocol/conformance/dist/index.js \
#     client --command "scripts/conformance-client.sh" --scenario sse-retry
#
# The suite starts the scenario's server, appends its URL to the command and names the scenario in
# MCP_CONFORMANCE_SCENARIO. This runs 'mcp-pool conformance-client URL', which plays the scenario through the
# library's public API (a pool with one Streamable HTTP server at URL). Scenarios: initialize, tools_call,
# sse-retry, elicitation-sep1034-client-defaults. docs/conformance.md says how each is played.
#
# Where the classes come from: MCP_POOL_CLASSPATH (a class path with the gateway module, as a test JVM has;
# MCP_POOL_JAVA names the java to run it with, else a JDK 21+ is found as scripts/find-jdk.sh does), else the runnable jar through ./mcp-pool, which builds it when
# it is missing or stale (that takes longer than the suite's default 30 s timeout: build it first).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ -n ${MCP_POOL_CLASSPATH:-} ]]; then
  java=${MCP_POOL_JAVA:-}
  if [[ -z $java ]]; then
    source "$root/scripts/find-jdk.sh"
    java="$JAVA_HOME/bin/java"
  fi
  exec "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$MCP_POOL_CLASSPATH" \
    io.mcppool.gateway.cli.Main conformance-client "$@"
fi
exec "$root/mcp-pool" conformance-client "$@"
