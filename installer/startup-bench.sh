#!/usr/bin/env bash
# Times the studio's start the way a user sees it: from the JVM's start to the first drawn window and to the sample
# plan on screen, under Xvfb, with and without the class-data-sharing archive. Needs xvfb (apt-get install xvfb).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mvn -B -q -pl app -am install -DskipTests -Dstyle.color=never
mvn -B -q -pl app dependency:build-classpath -Dmdep.outputFile=target/startup.cp -Dmdep.includeScope=runtime -Dstyle.color=never
CP="$ROOT/app/target/classes:$(cat app/target/startup.cp)"
JSA="$ROOT/app/target/studio.jsa"
run() { xvfb-run -a java "$@" -Dstudio.startupProbe=true -Dgstudio.home="$ROOT" -cp "$CP" studio.app.Launcher 2>/dev/null | grep '^startup'; }
echo "== plain class path (3 runs)"
for i in 1 2 3; do run; done
rm -f "$JSA"
run -XX:ArchiveClassesAtExit="$JSA" >/dev/null
echo "== with the class-data-sharing archive (3 runs)"
for i in 1 2 3; do run -XX:SharedArchiveFile="$JSA" -Xshare:auto; done
