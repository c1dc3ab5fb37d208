#!/usr/bin/env bash
# Generate the Go stubs in clients/go from protos/, with buf and buf.gen.go.yaml
# (local plugins protoc-gen-go and protoc-gen-go-grpc, Debian packages of the same
# names).
#
#   tools/generate_go.sh           regenerate clients/go/**/*.pb.go
#   tools/generate_go.sh --check   regenerate into a scratch folder; exit 1 naming
#                                  the stale files when the committed ones differ
#
# Exit 2 when a tool is missing. BUF=/path/to/buf overrides which buf runs
# (default: .tools/node_modules/.bin/buf, as `make lint` installs it, else buf on PATH).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TEMPLATE=buf.gen.go.yaml
OUT=clients/go

check=false
case "${1:-}" in
  "") ;;
  --check) check=true ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac

BUF=${BUF:-}
if [ -z "$BUF" ]; then
  if [ -x .tools/node_modules/.bin/buf ]; then
    BUF=.tools/node_modules/.bin/buf
  else
    BUF=$(command -v buf || true)
  fi
fi
missing=()
[ -n "$BUF" ] && [ -x "$BUF" ] || missing+=("buf (npm install @bufbuild/buf@1 in .tools)")
command -v protoc-gen-go >/dev/null || missing+=("protoc-gen-go (apt-get install protoc-gen-go)")
command -v protoc-gen-go-grpc >/dev/null || missing+=("protoc-gen-go-grpc (apt-get install protoc-gen-go-grpc)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'missing tool: %s\n' "${missing[@]}" >&2
  exit 2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$BUF" generate --template "$TEMPLATE" -o "$scratch"

# Every *.pb.go under clients/go is generated; list them relative to clients/go.
list() { (cd "$1" 2>/dev/null && find . -name '*.pb.go' -type f | sed 's|^\./||' | LC_ALL=C sort) || true; }
fresh=$(list "$scratch/$OUT")
committed=$(list "$OUT")
if [ -z "$fresh" ]; then
  echo "buf generated no Go files into $OUT: check $TEMPLATE" >&2
  exit 1
fi

if ! $check; then
  # Drop generated files the protos no longer produce, then write the fresh ones.
  for f in $(comm -13 <(echo "$fresh") <(echo "$committed")); do
    rm -f "$OUT/$f"
  done
  for f in $fresh; do
    mkdir -p "$(dirname "$OUT/$f")"
    cp "$scratch/$OUT/$f" "$OUT/$f"
  done
  echo "generated $(echo "$fresh" | sed "s|^|$OUT/|" | paste -sd' ')"
  exit 0
fi

stale=()
for f in $(printf '%s\n%s\n' "$fresh" "$committed" | grep -v '^$' | LC_ALL=C sort -u); do
  if [ ! -f "$scratch/$OUT/$f" ]; then
    stale+=("$OUT/$f (no longer generated)")
  elif [ ! -f "$OUT/$f" ]; then
    stale+=("$OUT/$f (missing)")
  elif ! cmp -s "$scratch/$OUT/$f" "$OUT/$f"; then
    stale+=("$OUT/$f")
  fi
done
if [ ${#stale[@]} -gt 0 ]; then
  echo "generated Go code is stale: ${stale[*]}; run tools/generate_go.sh and commit" >&2
  exit 1
fi
echo "generated Go code is up to date"
