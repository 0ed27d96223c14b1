#!/bin/sh
# Installs uvicorn (with httptools and uvloop, as `uvicorn[standard]` would) into the PyTorch
# peer's private virtual environment (../shared/bench/setup-peer.sh makes it; default
# /tmp/axon-peer-venv) for bench/serve_peer_asgi.py, and prints that environment's python.
# Nothing system-wide and nothing Axon's build or tests use; a second run installs nothing.
#   usage: bench/setup-serve-peer.sh [DIR]
set -eu
cd "$(dirname "$0")/.."
py=$(../shared/bench/setup-peer.sh "$@")
if ! "$py" -c 'import uvicorn, httptools, uvloop' 2>/dev/null; then
  "$py" -m pip install --quiet 'uvicorn==0.55.0' 'httptools' 'uvloop' >&2
fi
echo "$py"
