#!/usr/bin/env bash
# Installs Debian's Chromium for the page tests when it is missing (needs root and the Debian mirror).
set -euo pipefail
if command -v chromium >/dev/null || [ -x /usr/bin/chromium ]; then exit 0; fi
echo "installing Chromium for the page tests (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
