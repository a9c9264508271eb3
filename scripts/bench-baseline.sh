#!/usr/bin/env bash
# Builds the engine of an older commit for `BenchMain saturation`'s "before" rows, and prints its class path.
#
#   scripts/bench-baseline.sh [commit]      default 4c86ee5 (issue 11's "before": main before the engine fixes)
#
# It checks the commit out in a temporary git worktree under /tmp, builds mcp-pool-core and mcp-pool-testkit
# there (package, offline, tests skipped; never install: ~/.m2 is shared), copies the two jars to
# mcp-pool-bench/target/baseline/lib/, and writes the class path (those two jars, then their runtime
# dependencies from ~/.m2) to mcp-pool-bench/target/baseline/classpath.txt, where the saturation scenario finds
# it. The commit built is in mcp-pool-bench/target/baseline/commit.txt. The temporary worktree is removed on
# exit, whether the build worked or not. A second run for the same commit reuses what is there.
#
# MVN_ARGS replaces the Maven flags that pick the network (default -o: offline; MVN_ARGS= to allow downloads).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
commit_arg=${1:-4c86ee5}
cd "$root"
sha=$(git rev-parse --verify --quiet "${commit_arg}^{commit}") || { echo "bench-baseline: no commit '$commit_arg'" >&2; exit 2; }
out="$root/mcp-pool-bench/target/baseline"

if [[ -f "$out/commit.txt" && -f "$out/classpath.txt" && "$(cat "$out/commit.txt")" == "$sha" ]]; then
  missing=0
  IFS=: read -r -a entries <"$out/classpath.txt" || true # the file has no final newline
  for e in "${entries[@]}"; do [[ -e "$e" ]] || missing=1; done
  if (( missing == 0 )); then
    echo "bench-baseline: ${sha:0:10} already built in $out" >&2
    cat "$out/classpath.txt"
    exit 0
  fi
fi

source "$root/scripts/find-jdk.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mcp-pool-baseline-XXXXXX")
src="$tmp/src"
log="$tmp/build.log"
cleanup() {
  # the worktree goes whatever happened; prune forgets it if the folder was already gone
  git -C "$root" worktree remove --force "$src" >/dev/null 2>&1 || true
  git -C "$root" worktree prune >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "bench-baseline: building ${sha:0:10} in $src" >&2
git worktree add --detach --quiet "$src" "$sha"
# dependency:build-classpath runs in each module after package; each writes its own file (a relative
# outputFile is resolved against the module). The testkit's holds core's runtime dependencies too.
# io.mcppool is left out of it: the two jars are copied out of the worktree, which is removed.
# shellcheck disable=SC2086
if ! (cd "$src" && mvn -B -q ${MVN_ARGS--o} -pl mcp-pool-core,mcp-pool-testkit package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile=target/runtime.classpath -DincludeScope=runtime \
    -DexcludeGroupIds=io.mcppool) >"$log" 2>&1; then
  echo "bench-baseline: the build of ${sha:0:10} failed:" >&2
  tail -n 60 "$log" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/lib"
jars=()
for module in mcp-pool-core mcp-pool-testkit; do
  jar=$(find "$src/$module/target" -maxdepth 1 -name "$module-*.jar" ! -name '*-sources.jar' ! -name '*-tests.jar' \
    ! -name '*-javadoc.jar' | head -n 1)
  [[ -n "$jar" ]] || { echo "bench-baseline: no $module jar in $src/$module/target" >&2; exit 1; }
  cp "$jar" "$out/lib/$module.jar"
  jars+=("$out/lib/$module.jar")
done
deps=$(cat "$src/mcp-pool-testkit/target/runtime.classpath")
classpath="${jars[0]}:${jars[1]}${deps:+:$deps}"
printf '%s' "$classpath" >"$out/classpath.txt"
printf '%s' "$sha" >"$out/commit.txt"
echo "bench-baseline: ${sha:0:10} built; class path in $out/classpath.txt" >&2
cat "$out/classpath.txt"
echo
