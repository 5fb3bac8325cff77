#!/usr/bin/env bash
# System packages the test suite needs, from Debian: chromium (Playwright drives it; no browser
# is ever downloaded), Japanese fonts (pages and PDFs render Japanese), gettext (compilemessages),
# Pango (WeasyPrint lays out the PDF reports with it), the PostgreSQL client tools (`mamori
# backup` and `restore` run pg_dump, pg_restore and psql). Given package names, only those (as
# `make security` does for sslscan).
set -euo pipefail
packages=("$@")
[ ${#packages[@]} -eq 0 ] && packages=(chromium fonts-noto-cjk gettext libpango-1.0-0 libpangoft2-1.0-0
                                   postgresql-client)
need=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing system packages: ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
