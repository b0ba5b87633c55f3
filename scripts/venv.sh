#!/usr/bin/env bash
# Create the project's virtualenv, installing Debian's venv module first when it is missing.
set -euo pipefail
venv=${1:-.venv}
python=${PYTHON:-python3}

if [ -x "$venv/bin/python" ]; then
  exit 0
fi
if ! "$python" -m venv "$venv" 2>/dev/null; then
  rm -rf "$venv"
  version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing python${version}-venv with apt-get…"
    apt-get update -qq && apt-get install -y -qq "python${version}-venv"
    "$python" -m venv "$venv"
  else
    echo "Python's venv module is missing. Install it, then run make again:" >&2
    echo "    sudo apt-get install python${version}-venv" >&2
    exit 1
  fi
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
