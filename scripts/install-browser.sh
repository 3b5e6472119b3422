#!/usr/bin/env bash
# Make sure Debian's chromium (/usr/bin/chromium) is installed for the browser tests, and
# Debian's LibreOffice Calc (/usr/bin/soffice) for tests/budget/test_office_round_trip.py.
#
# The browser comes from the distribution's apt repository and nowhere else: never
# `playwright install` or any other download. Playwright drives it through
# `executable_path="/usr/bin/chromium"`.
#
# fonts-dejavu-core is installed with it: DejaVu Sans covers the Kazakh Cyrillic letters
# (Ә Ғ Қ Ң Ө Ұ Ү Һ І), so pages in Kazakh render without tofu in screenshots.
#
# libreoffice-calc (without recommends: no Java, no help) saves the demo table as an office
# suite does (XLSX; CSV in Windows-1251), so the import is tested on what officials upload.
#
# Idempotent: prints nothing and exits 0 when everything is already there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
SOFFICE=/usr/bin/soffice
PACKAGES=(chromium fonts-dejavu-core libreoffice-calc)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == installed ]] || missing+=("$pkg")
done
if [[ ! -x "$CHROMIUM" ]] && [[ ! " ${missing[*]} " == *" chromium "* ]]; then
    missing+=(chromium)
fi
if [[ ! -x "$SOFFICE" ]] && [[ ! " ${missing[*]} " == *" libreoffice-calc "* ]]; then
    missing+=(libreoffice-calc)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: ${missing[*]} missing and apt-get is not available." >&2
    echo "install-browser: install Debian's ${PACKAGES[*]} by hand." >&2
    exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-browser: ${missing[*]} missing; run as root (or install sudo) to install:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}" >&2
    exit 1
fi

echo "install-browser: installing ${missing[*]} from apt (this takes a few minutes)..."
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null

for program in "$CHROMIUM" "$SOFFICE"; do
    if [[ ! -x "$program" ]]; then
        echo "install-browser: apt-get finished but ${program} is still missing." >&2
        exit 1
    fi
done
echo "install-browser: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM installed")"
echo "install-browser: $("$SOFFICE" --version 2>/dev/null || echo "$SOFFICE installed")"
