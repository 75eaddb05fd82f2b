#!/bin/sh
# Copies the OCR-B font that internal/document/ocrb embeds from the Debian
# package fonts-ocr-b (public domain, Matthew Skala) and checks its sha256.
# Usage: tools/ocrbtrain/fetch.sh   (from the repository root; needs apt)
set -eu
want=6fc670f99123dc88677c8aea548c601b5094fed35b9dd8bddba6843a1fdf966d
src=/usr/share/fonts/opentype/ocr-b/OCRBS.otf
dst=internal/document/ocrb/OCRBS.otf
if [ ! -f "$src" ]; then
	echo "installing fonts-ocr-b (0.3~dfsg1-1 was used)" >&2
	apt-get install -y fonts-ocr-b
fi
dpkg-query -W -f='fonts-ocr-b ${Version}\n' fonts-ocr-b
got=$(sha256sum "$src" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
	echo "sha256 mismatch: got $got, want $want" >&2
	exit 1
fi
cp "$src" "$dst"
echo "copied $src to $dst (sha256 $got)"
