#!/usr/bin/env bash
# Re-derives the embedded face model weights from the pinned npm package and
# checks that internal/face/nn/weights holds exactly the same bytes.
#
# Usage: tools/faceapi/check.sh        (from anywhere; needs Node 20 and npm)
# Exits non-zero when a file differs, is missing, or SHA256SUMS disagrees.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
weights="$(cd "$here/../../internal/face/nn/weights" && pwd)"

cd "$here"
npm ci --ignore-scripts --no-audit --no-fund >/dev/null

pkg="$here/node_modules/@vladmandic/face-api"
version="$(node -p "require('$pkg/package.json').version")"
if [[ "$version" != "1.7.15" ]]; then
  echo "check: @vladmandic/face-api is $version, want 1.7.15" >&2
  exit 1
fi

fail=0
files=()
for f in "$pkg"/model/face_recognition_model* "$pkg"/model/tiny_face_detector_model*; do
  files+=("$(basename "$f")")
done
if [[ ${#files[@]} -ne 4 ]]; then
  echo "check: found ${#files[@]} model files in the package, want 4" >&2
  exit 1
fi

for name in "${files[@]}"; do
  if ! cmp -s "$pkg/model/$name" "$weights/$name"; then
    echo "check: $name differs from the npm package (or is missing)" >&2
    fail=1
  fi
done

# The package's files must match SHA256SUMS, and SHA256SUMS must list exactly them.
listed="$(awk '{print $2}' "$weights/SHA256SUMS" | sort)"
shipped="$(printf '%s\n' "${files[@]}" | sort)"
if [[ "$listed" != "$shipped" ]]; then
  echo "check: SHA256SUMS lists [$listed], the package ships [$shipped]" >&2
  fail=1
fi
if ! (cd "$pkg/model" && sha256sum --quiet -c "$weights/SHA256SUMS"); then
  echo "check: the npm package's files do not match SHA256SUMS" >&2
  fail=1
fi
if ! (cd "$weights" && sha256sum --quiet -c SHA256SUMS); then
  echo "check: internal/face/nn/weights does not match SHA256SUMS" >&2
  fail=1
fi

if [[ $fail -ne 0 ]]; then
  exit 1
fi
echo "check: ${#files[@]} weight files match @vladmandic/face-api@$version byte for byte and by sha256"
