#!/usr/bin/env bash
# The local cluster (make cluster) and its tests put Debian's nginx in front of the
# app processes. Install it when it is missing and we can; say how when we can't.
set -euo pipefail
have_nginx() { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }

if have_nginx; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing nginx with apt-get…"
  apt-get update -qq
  # Only the binary is wanted: the cluster runs its own nginx with its own config,
  # so keep the package's service from starting on port 80.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq nginx >/dev/null
  exit 0
fi
echo "nginx is missing, and this user cannot install it." >&2
echo "Cluster tests will be skipped and make cluster cannot start. To get it:  sudo apt-get install nginx" >&2
