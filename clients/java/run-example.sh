#!/usr/bin/env bash
# Builds the Java client into clients/java/build/classes and runs the example
# against a modelrouter server (default 127.0.0.1:50051, what `make run` serves).
#
#   clients/java/run-example.sh [HOST:PORT]
#
# The example reads the API key and TLS settings from the environment (plaintext
# and no key without them):
#   MODELROUTER_API_KEY    sent as "authorization: Bearer <key>" on every call
#   MODELROUTER_CA_FILE    TLS, trusting this CA (PEM)
#   MODELROUTER_CERT_FILE, MODELROUTER_KEY_FILE   a client certificate (mTLS)
# e.g. MODELROUTER_API_KEY="$KEY" MODELROUTER_CA_FILE=ca.pem clients/java/run-example.sh HOST:PORT
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${BUILD_DIR:-$HERE/build/classes}"

"$HERE/build.sh" "$OUT" >&2
exec java -cp "$("$HERE/build.sh" --classpath "$OUT")" dev.modelrouter.example.Example "${1:-127.0.0.1:50051}"
