#!/usr/bin/env bash
# Regenerate the Node client's committed files from protos/:
#   clients/node/proto/      the .proto files the client loads at run time: every file
#                            under protos/, plus google/rpc/status.proto and
#                            google/rpc/error_details.proto (to decode the ErrorInfo in
#                            the grpc-status-details-bin trailer), copied from the
#                            googleapis-common-protos wheel pinned in requirements-dev.txt
#   clients/node/generated/  TypeScript types made from them by @grpc/proto-loader's
#                            proto-loader-gen-types (pinned in clients/node/package-lock.json)
#
# The types are made with the loader options that clients/node/router.js loads with
# (keepCase, longs=String, enums=String, defaults, oneofs): change both together.
# google/protobuf/{any,duration}.proto are not copied: protobufjs has them built in.
#
# Usage: tools/generate_node.sh [--check]
#   --check  regenerate into a temporary folder and exit 1, naming the stale files,
#            when the committed ones differ.
# Needs node and npm (runs `npm ci` in clients/node when its node_modules is missing)
# and the repository's .venv (`make setup`); set PYTHON to use another interpreter.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE_DIR="$ROOT/clients/node"
PYTHON=${PYTHON:-"$ROOT/.venv/bin/python"}
GEN_TYPES="$NODE_DIR/node_modules/.bin/proto-loader-gen-types"
GOOGLE_RPC_PROTOS=(google/rpc/status.proto google/rpc/error_details.proto)
OUTPUTS=(proto generated)

check=false
case "${1:-}" in
  "") ;;
  --check) check=true ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if [ ! -x "$GEN_TYPES" ]; then
  echo "installing clients/node dependencies (npm ci)" >&2
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

if [ ! -x "$PYTHON" ]; then
  echo "no Python at $PYTHON: run \`make setup\` or set PYTHON" >&2
  exit 2
fi
# The folder that holds google/rpc/*.proto: site-packages of googleapis-common-protos.
google_root=$("$PYTHON" -c 'import os, google.rpc.status_pb2 as m; print(os.path.dirname(os.path.dirname(os.path.dirname(m.__file__))))')

# generate DIR: writes DIR/proto and DIR/generated.
generate() {
  local into=$1 file
  mkdir -p "$into/proto"
  (cd "$ROOT/protos" && find . -name '*.proto' -print0 | sort -z) | while IFS= read -r -d '' file; do
    install -D -m 644 "$ROOT/protos/$file" "$into/proto/${file#./}"
  done
  for file in "${GOOGLE_RPC_PROTOS[@]}"; do
    if [ ! -f "$google_root/$file" ]; then
      echo "$file not found under $google_root (is googleapis-common-protos installed?)" >&2
      exit 2
    fi
    install -D -m 644 "$google_root/$file" "$into/proto/$file"
  done
  local inputs
  inputs=$(cd "$into/proto" && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)
  # Relative paths, so that each file's "Original file:" header is the same anywhere.
  # shellcheck disable=SC2086  # the proto paths hold no spaces
  (cd "$into" && "$GEN_TYPES" --keepCase --longs=String --enums=String --defaults --oneofs \
    --includeComments --grpcLib=@grpc/grpc-js -I proto -O generated $inputs >/dev/null)
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
generate "$scratch"

if ! $check; then
  for out in "${OUTPUTS[@]}"; do
    rm -rf "${NODE_DIR:?}/$out"
    cp -R "$scratch/$out" "$NODE_DIR/$out"
  done
  echo "generated clients/node/{$(IFS=,; echo "${OUTPUTS[*]}")} from protos/"
  exit 0
fi

stale=()
while IFS= read -r file; do
  if [ ! -f "$scratch/$file" ] || [ ! -f "$NODE_DIR/$file" ] || ! cmp -s "$scratch/$file" "$NODE_DIR/$file"; then
    stale+=("clients/node/$file")
  fi
done < <(
  for out in "${OUTPUTS[@]}"; do
    (cd "$scratch" && find "$out" -type f)
    if [ -d "$NODE_DIR/$out" ]; then (cd "$NODE_DIR" && find "$out" -type f); fi
  done | LC_ALL=C sort -u
)
if [ ${#stale[@]} -gt 0 ]; then
  echo "Node client files are stale: ${stale[*]}; run tools/generate_node.sh and commit" >&2
  exit 1
fi
echo "Node client files are up to date"
