#!/usr/bin/env bash
# Compiles the Java client (the generated classes under src/main/java and the
# example) with plain javac against Debian's jars in /usr/share/java: no Maven,
# no Gradle, no network.
#
#   clients/java/build.sh [OUT_DIR]         compile into OUT_DIR (default
#                                           clients/java/build/classes); the
#                                           last line printed is the classpath
#   clients/java/build.sh --classpath [OUT_DIR]   print that classpath only
#   clients/java/build.sh --check-toolchain print what is missing; exit 3 if any
#
# Then: java -cp "$(clients/java/build.sh --classpath)" dev.modelrouter.example.Example HOST:PORT
# (or clients/java/run-example.sh HOST:PORT, which does both).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA_LIBS="${JAVA_LIBS:-/usr/share/java}"

# Each jar the client needs, with the Debian package that ships it.
JARS=(
  "grpc-api:libgrpc-java"
  "grpc-context:libgrpc-java"
  "grpc-core:libgrpc-java"
  "grpc-netty:libgrpc-java"
  "grpc-protobuf:libgrpc-java"
  "grpc-protobuf-lite:libgrpc-java"
  "grpc-stub:libgrpc-java"
  "protobuf:libprotobuf-java"
  "proto-google-common-protos:libgoogle-common-protos-java"
  "perfmark-api:libperfmark-java"
  "guava:libguava-java"
  "netty-buffer:libnetty-java"
  "netty-codec:libnetty-java"
  "netty-codec-http:libnetty-java"
  "netty-codec-http2:libnetty-java"
  "netty-common:libnetty-java"
  "netty-handler:libnetty-java"
  "netty-resolver:libnetty-java"
  "netty-transport:libnetty-java"
  # OpenSSL for TLS: Debian's netty-handler has no ALPN for the JDK's own TLS, and
  # gRPC needs ALPN (see native_tls below).
  "netty-tcnative:libnetty-tcnative-java"
  # javax.annotation.Generated, which the gRPC stubs carry (source retention:
  # needed to compile only; JDK 9+ no longer ships it).
  "geronimo-annotation-1.3-spec:libgeronimo-annotation-1.3-spec-java"
)
# Annotation jars that only silence javac's "class file not found" warnings.
OPTIONAL_JARS=(jsr305 error_prone_annotations)

missing() {
  local out=() entry jar pkg tool
  for tool in javac java jar; do
    command -v "$tool" >/dev/null || out+=("$tool (openjdk-17-jdk-headless)")
  done
  for entry in "${JARS[@]}"; do
    jar="${entry%%:*}" pkg="${entry#*:}"
    [ -f "$JAVA_LIBS/$jar.jar" ] || out+=("$JAVA_LIBS/$jar.jar ($pkg)")
  done
  [ -n "$(tcnative_library)" ] || out+=("/usr/lib/<arch>/jni/libnetty-tcnative.so (libnetty-tcnative-jni)")
  if needs_error_info_shim 2>/dev/null; then
    command -v protoc >/dev/null || out+=("protoc (protobuf-compiler)")
  fi
  if [ ${#out[@]} -gt 0 ]; then printf '%s\n' "${out[@]}"; fi
}

classpath() {
  local cp="$1" entry jar
  for entry in "${JARS[@]}"; do
    cp+=":$JAVA_LIBS/${entry%%:*}.jar"
  done
  for jar in "${OPTIONAL_JARS[@]}"; do
    [ -f "$JAVA_LIBS/$jar.jar" ] && cp+=":$JAVA_LIBS/$jar.jar"
  done
  echo "$cp"
}

# netty-tcnative's JNI library, as Debian installs it (libnetty-tcnative-jni).
tcnative_library() {
  local lib
  for lib in /usr/lib/*/jni/libnetty-tcnative.so /usr/lib/jni/libnetty-tcnative.so; do
    if [ -f "$lib" ]; then echo "$lib"; return; fi
  done
}

# Netty loads tcnative from META-INF/native/libnetty_tcnative_<os>_<arch>.so on the
# classpath before it looks anywhere else, and only under that name (the library
# checks its own file name), which is not the name Debian gives it: a copy under the
# expected name in the output folder makes TLS work with no JVM flags.
native_tls() {
  local arch
  case "$(uname -m)" in
    x86_64) arch=x86_64 ;;
    aarch64) arch=aarch_64 ;;
    *) arch="$(uname -m)" ;;
  esac
  mkdir -p "$OUT/META-INF/native"
  cp "$(tcnative_library)" "$OUT/META-INF/native/libnetty_tcnative_linux_${arch}.so"
}

# Debian 12's proto-google-common-protos (1.16.0) predates google.rpc.ErrorInfo;
# then compat/google/rpc/error_info.proto supplies the class (see that file).
needs_error_info_shim() {
  ! jar tf "$JAVA_LIBS/proto-google-common-protos.jar" | grep -qx 'com/google/rpc/ErrorInfo.class'
}

mode=build
case "${1:-}" in
  --check-toolchain) mode=check; shift ;;
  --classpath) mode=classpath; shift ;;
  -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
esac
OUT="${1:-$HERE/build/classes}"

if [ "$mode" = check ]; then
  gaps="$(missing)"
  if [ -n "$gaps" ]; then echo "$gaps"; exit 3; fi
  exit 0
fi
if [ "$mode" = classpath ]; then
  classpath "$OUT"
  exit 0
fi

gaps="$(missing)"
if [ -n "$gaps" ]; then
  echo "build.sh: missing (apt-get install the package in brackets):" >&2
  while IFS= read -r gap; do echo "  $gap" >&2; done <<< "$gaps"
  exit 3
fi

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

find "$HERE/src/main/java" -name '*.java' > "$scratch/sources"
if needs_error_info_shim; then
  mkdir -p "$scratch/compat"
  protoc -I "$HERE/compat" --java_out="$scratch/compat" google/rpc/error_info.proto
  find "$scratch/compat" -name '*.java' >> "$scratch/sources"
fi

CP="$(classpath "$OUT")"
javac --release 11 -encoding UTF-8 -nowarn -Xlint:-options -d "$OUT" -cp "$CP" @"$scratch/sources"
native_tls
echo "compiled $(wc -l < "$scratch/sources") sources into $OUT"
echo "classpath: $CP"
