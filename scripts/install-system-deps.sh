#!/usr/bin/env bash
# Installs the Debian packages tsbkart's tests need, only those that are missing.
# chromium: browser tests (Playwright drives Debian's build, never a downloaded one).
# libpango/fonts: WeasyPrint renders the printable atlas reports to PDF.
# caddy, nginx, openssl, systemd: the deployment files in deploy/ are checked with the real tools.
# postgresql-client: pg_dump and pg_restore for `tsbkart backup` and `tsbkart restore` on PostgreSQL.
# wrk: benchmarks/load.py drives the server with it (a load tool that costs little CPU itself).
# poppler-utils: pdftotext reads the report PDFs back in the layout tests (first page, whole numbers).
set -euo pipefail
wanted=(chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
        caddy nginx openssl systemd wrk postgresql-client poppler-utils)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
