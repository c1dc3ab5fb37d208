#!/usr/bin/env bash
# Regenerates the Java client's message classes and gRPC stubs from protos/ with
# buf and buf.gen.java.yaml (Debian's protoc and grpc_java_plugin), into
# clients/java/src/main/java. Each generated package folder (dev/modelrouter/v1)
# is replaced whole, so classes of removed messages do not linger.
#
#   tools/generate_java.sh           regenerate in place
#   tools/generate_java.sh --check   regenerate into a scratch folder; exit 1 and
#                                    name every stale, missing or extra file when
#                                    the committed code differs
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TEMPLATE=buf.gen.java.yaml
OUT_REL=clients/java/src/main/java
BUF="${BUF:-$ROOT/.tools/node_modules/.bin/buf}"

check=false
case "${1:-}" in
  "") ;;
  --check) check=true ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

die() { echo "generate_java: $*" >&2; exit 2; }

# The toolchain: buf (the Makefile's copy under .tools), Debian's protoc and
# grpc_java_plugin, and runtime jars of the same versions.
if [ ! -x "$BUF" ]; then
  command -v npm >/dev/null || die "buf missing at $BUF and no npm to install it"
  echo "generate_java: installing buf into .tools" >&2
  mkdir -p .tools
  (cd .tools && npm install --silent --no-audit --no-fund @bufbuild/buf@1)
fi
[ -x /usr/bin/protoc ] || die "no /usr/bin/protoc: apt-get install protobuf-compiler"
[ -x /usr/bin/grpc_java_plugin ] ||
  die "no /usr/bin/grpc_java_plugin: apt-get install protobuf-compiler-grpc-java-plugin"

# protoc's Java output only runs on a protobuf-java runtime of at least its own
# version, and Debian pairs each generator with its runtime: insist on the pair.
protoc_version="$(/usr/bin/protoc --version | awk '{print $2}')"
runtime_jar="$(find /usr/share/java -maxdepth 1 -name 'protobuf-[0-9]*.jar' 2>/dev/null | head -n 1 || true)"
if [ -n "$runtime_jar" ]; then
  runtime_version="$(basename "$runtime_jar" .jar)"
  runtime_version="${runtime_version#protobuf-}"
  [ "$protoc_version" = "$runtime_version" ] ||
    die "protoc $protoc_version does not match libprotobuf-java $runtime_version"
fi
if command -v dpkg-query >/dev/null; then
  plugin_version="$(dpkg-query -W -f='${Version}' protobuf-compiler-grpc-java-plugin 2>/dev/null || true)"
  grpc_version="$(dpkg-query -W -f='${Version}' libgrpc-java 2>/dev/null || true)"
  if [ -n "$plugin_version" ] && [ -n "$grpc_version" ] && [ "$plugin_version" != "$grpc_version" ]; then
    die "grpc_java_plugin $plugin_version does not match libgrpc-java $grpc_version"
  fi
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
"$BUF" generate --template "$TEMPLATE" -o "$scratch"
generated="$scratch/$OUT_REL"
[ -d "$generated" ] || die "buf wrote nothing under $OUT_REL"

# The folders (Java packages) holding generated files, relative to $OUT_REL.
mapfile -t packages < <(cd "$generated" && find . -type f -name '*.java' -printf '%h\n' | sed 's|^\./||' | sort -u)

if ! $check; then
  for pkg in "${packages[@]}"; do
    rm -rf "${OUT_REL:?}/$pkg"
    mkdir -p "$OUT_REL/$pkg"
    cp "$generated/$pkg"/*.java "$OUT_REL/$pkg/"
  done
  echo "generated $(find "$generated" -type f -name '*.java' | wc -l) files in $OUT_REL/{$(IFS=,; echo "${packages[*]}")}"
  exit 0
fi

stale=()
for pkg in "${packages[@]}"; do
  for file in "$generated/$pkg"/*.java; do
    rel="$OUT_REL/$pkg/$(basename "$file")"
    if [ ! -f "$rel" ]; then
      stale+=("$rel (missing)")
    elif ! cmp -s "$file" "$rel"; then
      stale+=("$rel (differs)")
    fi
  done
  if [ -d "$OUT_REL/$pkg" ]; then
    for file in "$OUT_REL/$pkg"/*.java; do
      [ -e "$file" ] || continue
      [ -f "$generated/$pkg/$(basename "$file")" ] || stale+=("$file (no longer generated)")
    done
  fi
done

if [ ${#stale[@]} -gt 0 ]; then
  echo "generated Java code is stale; run tools/generate_java.sh:" >&2
  printf '  %s\n' "${stale[@]}" >&2
  exit 1
fi
echo "generated Java code is up to date ($OUT_REL/{$(IFS=,; echo "${packages[*]}")})"
