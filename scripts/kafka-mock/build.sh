#!/bin/sh
# Builds native/build/mock-kafka, the librdkafka mock-cluster test peer used by test/backend/kafka.
# Needs gcc and librdkafka-dev (Debian bookworm ships 2.0.2). Run as root, it installs
# librdkafka-dev with apt-get when the headers are missing.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SRC="$ROOT/native/mock-kafka.c"
OUT_DIR="$ROOT/native/build"
OUT="$OUT_DIR/mock-kafka"

if [ ! -f /usr/include/librdkafka/rdkafka_mock.h ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "build.sh: librdkafka-dev missing, installing it with apt-get" >&2
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y librdkafka-dev >&2
  else
    echo "build.sh: librdkafka headers not found (/usr/include/librdkafka/rdkafka_mock.h)." >&2
    echo "Install them with: sudo apt-get install -y librdkafka-dev   (then rerun $0)" >&2
    exit 1
  fi
fi
if ! command -v gcc >/dev/null 2>&1; then
  echo "build.sh: gcc not found. Install it with: sudo apt-get install -y gcc" >&2
  exit 1
fi

mkdir -p "$OUT_DIR"
gcc -O2 -Wall -Wextra -o "$OUT.tmp" "$SRC" -lrdkafka
mv "$OUT.tmp" "$OUT"
echo "$OUT"
