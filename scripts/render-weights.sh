#!/usr/bin/env bash
# Renders a plot-weights HTML page to a PNG with headless Chromium (Debian: apt-get install -y chromium).
# Usage: scripts/render-weights.sh weights.html out.png [WIDTH HEIGHT]
# Without WIDTH/HEIGHT the window is sized to the page's <svg width=.. height=..>.
# The PNG is drawn at twice that size (device scale factor 2) so that the labels stay sharp.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 weights.html out.png [WIDTH HEIGHT]" >&2
    exit 2
fi
html=$(realpath "$1")
out=$(realpath -m "$2")
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z "$browser" ]]; then
    echo "error: no Chromium found; install it with: apt-get install -y chromium" >&2
    exit 1
fi

width=${3:-$(grep -o '<svg width="[0-9]*"' "$html" | head -1 | grep -o '[0-9]*' || true)}
height=${4:-$(grep -o '<svg width="[0-9]*" height="[0-9]*"' "$html" | head -1 | sed 's/.*height="\([0-9]*\)"/\1/' || true)}
if [[ -z "$width" || -z "$height" ]]; then
    echo "error: $1 has no <svg width=.. height=..>; pass WIDTH and HEIGHT" >&2
    exit 1
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# A throwaway profile and no background traffic: the page is self-contained and needs no network.
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --force-device-scale-factor=2 \
    --run-all-compositor-stages-before-draw --virtual-time-budget=2000 --user-data-dir="$profile" \
    --screenshot="$out" --window-size="$width,$height" "file://$html" >/dev/null 2>&1
if [[ ! -s "$out" ]]; then
    echo "error: Chromium wrote no screenshot to $out" >&2
    exit 1
fi
echo "wrote $out (${width}x${height})"
