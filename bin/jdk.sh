# Sourced by the other scripts: points JAVA_HOME at a JDK 21 or newer.
# Order: $JAVA_HOME if new enough, the default java, then any JDK under /usr/lib/jvm or /opt.
_jdk_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1; }
_jdk_ok() { [ -x "$1/bin/javac" ] && [ "$(_jdk_major "$1")" -ge 21 ] 2>/dev/null; }
if [ -n "${JAVA_HOME:-}" ] && _jdk_ok "$JAVA_HOME"; then
  :
elif command -v javac >/dev/null 2>&1 && _jdk_ok "$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
else
  JAVA_HOME=
  for candidate in /usr/lib/jvm/* /opt/*jdk* /opt/java/*; do
    if [ -d "$candidate" ] && _jdk_ok "$candidate"; then JAVA_HOME=$candidate; break; fi
  done
  if [ -z "$JAVA_HOME" ]; then
    echo "serverhold needs a JDK 21 or newer: install one (e.g. apt-get install openjdk-21-jdk) or set JAVA_HOME" >&2
    exit 1
  fi
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
