#!/usr/bin/env bash
# Builds the Java client into clients/java/build/classes and runs the example
# against a modelrouter server (default 127.0.0.1:50051, what `make run` serves).
#
#   clients/java/run-example.sh [HOST:PORT]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${BUILD_DIR:-$HERE/build/classes}"

"$HERE/build.sh" "$OUT" >&2
exec java -cp "$("$HERE/build.sh" --classpath "$OUT")" dev.modelrouter.example.Example "${1:-127.0.0.1:50051}"
