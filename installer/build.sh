#!/usr/bin/env bash
# Builds Galvatron Studio's desktop packages with the JDK's jpackage:
#   installer/build.sh            -> installer/target/galvatron-studio/ (app image: bin/galvatron-studio)
#   installer/build.sh deb        -> also installer/target/galvatron-studio_0.1.0-1_amd64.deb
# Needs JDK 17 with jpackage and its jmods (Debian: openjdk-17-jdk-headless); the .deb also needs fakeroot.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/installer/target"
INPUT="$OUT/input"
cd "$ROOT"
rm -rf "$OUT"
mkdir -p "$INPUT"
# one reactor run, so the app's copy of the engine comes from this build
mvn -B -q -pl app -am package dependency:copy-dependencies -DskipTests -DincludeScope=runtime -DoutputDirectory="$INPUT" \
    -Dstyle.color=never
cp app/target/app-0.1.0-SNAPSHOT.jar "$INPUT/"
# the shipped profiles and presets travel inside the image; the studio finds them through -Dgstudio.home
cp -r sample-configs "$INPUT/sample-configs"
COMMON=(--name galvatron-studio --app-version 0.1.0 --vendor "Galvatron Studio" --input "$INPUT"
        --main-jar app-0.1.0-SNAPSHOT.jar --main-class studio.app.Launcher --icon "$ROOT/assets/icon.png"
        --java-options '-Dgstudio.home=$APPDIR' --java-options -Xmx2g
        --add-modules java.base,java.desktop,java.xml,java.scripting,java.datatransfer,java.logging,java.naming,java.sql,java.management,jdk.unsupported,jdk.unsupported.desktop,jdk.jfr,jdk.crypto.ec,jdk.zipfs
        --jlink-options "--strip-debug --no-man-pages --no-header-files --strip-native-commands"
        --description "Plan, search and compare distributed-training strategies for Galvatron")
# an application class-data-sharing archive of the classes a start loads cuts the time to the first window
# (measured on a 2-core machine: 3.5 s without, 2.4 s with); it needs a display to record, so only where Xvfb is
if command -v xvfb-run >/dev/null 2>&1; then
  CP="$(cd "$INPUT" && ls *.jar | sed "s|^|$INPUT/|" | paste -sd:)"
  # recorded interpreted (-Xint): JDK 17 archives a method's "not compilable" flag, so a compilation the recording
  # run abandoned would leave that method interpreted in every start
  xvfb-run -a java -Xint -XX:ArchiveClassesAtExit="$INPUT/studio.jsa" -Dstudio.startupProbe=true -Dgstudio.home="$INPUT" \
      -cp "$CP" studio.app.Launcher >/dev/null 2>&1 || rm -f "$INPUT/studio.jsa"
  [[ -f "$INPUT/studio.jsa" ]] && COMMON+=(--java-options '-XX:SharedArchiveFile=$APPDIR/studio.jsa' --java-options -Xshare:auto)
fi
jpackage --type app-image --dest "$OUT" "${COMMON[@]}"
echo "app image: $OUT/galvatron-studio (run bin/galvatron-studio)"
if [[ "${1:-}" == "deb" ]]; then
  # JavaFX's native libraries sit inside jars, where jpackage cannot see what they link: declare them
  jpackage --type deb --dest "$OUT" "${COMMON[@]}" --linux-shortcut --linux-menu-group Development \
    --linux-package-deps "libgtk-3-0, libgl1, libxtst6, libxxf86vm1, fontconfig, fonts-dejavu-core"
  echo "deb: $(ls "$OUT"/*.deb)"
fi
