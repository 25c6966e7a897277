#!/usr/bin/env bash
# Re-vendor the front-end libraries into src/tsbkart/web/static/vendor/ from the npm registry.
#
# The product must work offline (no CDN), so the few dist files the pages need are copied into the
# package. Folder names carry no version, so templates need not change on upgrade. The exact versions
# are pinned below; to upgrade, change a version here, run this script, and review the diff and
# src/tsbkart/web/static/vendor/VENDORED.md (which this script rewrites).
#
# Usage: bash scripts/vendor_static.sh
# Needs: npm (registry access), node, tar. Nothing is left outside the vendor folder:
# tarballs are fetched with `npm pack` into a temporary directory that is removed on exit.
set -euo pipefail

# name|version|licence (SPDX, as in the package's package.json)
PACKAGES=(
  "leaflet|1.9.4|BSD-2-Clause"
  "leaflet.markercluster|1.5.3|MIT"
  "htmx.org|2.0.11|0BSD"
  "axe-core|4.14.1|MPL-2.0"
  "swagger-ui-dist|5.35.0|Apache-2.0"
)

# Folder under vendor/ per package when it differs from the package name.
folder_for() {
  case "$1" in
    swagger-ui-dist) echo "swagger-ui" ;;
    *) echo "$1" ;;
  esac
}

# Files to copy, relative to the unpacked tarball root ("package/"), per package.
files_for() {
  case "$1" in
    leaflet)
      echo "LICENSE dist/leaflet.js dist/leaflet.css"
      echo "dist/images/layers.png dist/images/layers-2x.png dist/images/marker-icon.png"
      echo "dist/images/marker-icon-2x.png dist/images/marker-shadow.png"
      ;;
    leaflet.markercluster)
      echo "MIT-LICENCE.txt dist/leaflet.markercluster.js dist/MarkerCluster.css dist/MarkerCluster.Default.css"
      ;;
    htmx.org)
      echo "LICENSE dist/htmx.min.js"
      ;;
    axe-core)
      echo "LICENSE LICENSE-3RD-PARTY.txt axe.min.js"
      ;;
    swagger-ui-dist)
      echo "LICENSE NOTICE swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css"
      ;;
    *)
      echo "unknown package $1" >&2
      return 1
      ;;
  esac
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
vendor="$root/src/tsbkart/web/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$vendor"
manifest="$tmp/manifest.md"
: >"$manifest"

for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r name version licence <<<"$entry"
  echo "== $name@$version"
  work="$tmp/$name"
  mkdir -p "$work"
  # npm pack verifies the tarball against the registry's integrity value while downloading.
  tarball="$(cd "$work" && npm pack --silent "$name@$version" 2>/dev/null | tail -n 1)"
  integrity="$(npm view "$name@$version" dist.integrity 2>/dev/null)"
  local_integrity="$(node -e \
    'const c=require("crypto"),fs=require("fs");
     console.log("sha512-"+c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' \
    "$work/$tarball")"
  if [[ "$integrity" != "$local_integrity" ]]; then
    echo "integrity mismatch for $name@$version: registry $integrity, local $local_integrity" >&2
    exit 1
  fi
  pkg_licence="$(tar -xOzf "$work/$tarball" package/package.json | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).license))')"
  if [[ "$pkg_licence" != "$licence" ]]; then
    echo "licence of $name@$version is '$pkg_licence', expected '$licence': review before vendoring" >&2
    exit 1
  fi
  tar -xzf "$work/$tarball" -C "$work"

  dest="$vendor/$(folder_for "$name")"
  rm -rf "$dest"
  mkdir -p "$dest"
  file_list=""
  for f in $(files_for "$name"); do
    src="$work/package/$f"
    if [[ ! -f "$src" ]]; then
      echo "missing $f in $name@$version" >&2
      exit 1
    fi
    # Keep the images/ folder next to leaflet.css (it refers to images/...); flatten dist/ otherwise.
    rel="${f#dist/}"
    mkdir -p "$dest/$(dirname "$rel")"
    cp "$src" "$dest/$rel"
    chmod 0644 "$dest/$rel"
    file_list="$file_list \`$rel\`,"
  done
  {
    echo "## $name"
    echo
    echo "- Version: $version"
    echo "- Licence: $licence"
    echo "- npm tarball integrity (\`npm view $name@$version dist.integrity\`): \`$integrity\`"
    echo "- Folder: \`vendor/$(folder_for "$name")/\`"
    echo "- Files:${file_list%,}"
    echo
  } >>"$manifest"
done

{
  echo "# Vendored front-end libraries"
  echo
  echo "Copied from the npm registry so that the product works offline (no CDN). Folder names carry no"
  echo "version, so templates need not change on upgrade. Only the dist files the pages need are kept,"
  echo "with each package's licence file. This file is written by \`scripts/vendor_static.sh\`."
  echo
  echo "To re-vendor or upgrade: edit the pinned versions at the top of \`scripts/vendor_static.sh\`, run"
  echo "\`bash scripts/vendor_static.sh\` from the repository root, and review the diff. The script downloads"
  echo "each tarball with \`npm pack\` into a temporary directory, checks its sha512 against the registry's"
  echo "\`dist.integrity\` and the licence against the one pinned, copies the files listed below, and leaves"
  echo "no node_modules or lock file behind."
  echo
  echo "Notes:"
  echo "- Only minified builds are kept; unminified sources and source maps are left out to keep the"
  echo "  package small (a browser asks for a missing source map only with its developer tools open)."
  echo "- leaflet: \`leaflet.css\` refers to \`images/...\`, so the images folder sits beside it."
  echo "- htmx.org: the 2.x line is pinned on purpose (npm's \`latest\` tag has moved to 4.x)."
  echo "- axe-core is for browser accessibility tests only; pages served to users need not load it."
  echo
  cat "$manifest"
} >"$vendor/VENDORED.md"

echo "wrote $vendor/VENDORED.md"
