#!/usr/bin/env bash
# Install the Debian packages the test suite runs for real: Dovecot (POP3/IMAP), Postfix,
# clamd, Chromium (browser tests), a Japanese font for readable screenshots, and LibreOffice
# Calc (workbooks saved by another program than openpyxl).
# The tests start their own private instances; the system services are never started here.
set -euo pipefail
PKGS=(dovecot-pop3d dovecot-imapd postfix clamav clamav-daemon chromium fonts-noto-cjk gettext
      libreoffice-calc-nogui)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages: ${missing[*]} (install them as root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
# Keep package scripts from starting system-wide daemons on this machine.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
