#!/usr/bin/env bash
# Sourced by the project's scripts: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: JAVA_HOME if it is 21+, else the newest 21+ JDK under /usr/lib/jvm (and a few other
# standard places), else a clear message and exit 1.
_mcp_pool_java_major() {
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
  v=${v%%.*}
  [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" || echo 0
}
_mcp_pool_find_jdk() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" && $(_mcp_pool_java_major "$JAVA_HOME") -ge 21 ]]; then
    echo "$JAVA_HOME"; return 0
  fi
  local best="" best_major=0 dir major
  for dir in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [[ -x "$dir/bin/javac" ]] || continue
    major=$(_mcp_pool_java_major "$dir")
    if (( major >= 21 && major > best_major )); then best="$dir"; best_major=$major; fi
  done
  [[ -n "$best" ]] && { echo "$best"; return 0; }
  return 1
}
if ! _jdk=$(_mcp_pool_find_jdk); then
  echo "mcp-pool: no JDK 21 or newer found. JAVA_HOME is '${JAVA_HOME:-unset}' and /usr/lib/jvm has none." >&2
  echo "mcp-pool: install one (e.g. 'apt-get install openjdk-21-jdk') or point JAVA_HOME at it." >&2
  exit 1
fi
export JAVA_HOME="$_jdk"
export PATH="$JAVA_HOME/bin:$PATH"
# Maven's own Guava touches sun.misc.Unsafe; JDK 24+ warns about it on every build. The flag that
# allows it exists only from JDK 24, so add it only there.
if (( $(_mcp_pool_java_major "$JAVA_HOME") >= 24 )) && [[ "${MAVEN_OPTS:-}" != *sun-misc-unsafe-memory-access* ]]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
unset _jdk
