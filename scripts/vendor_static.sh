#!/usr/bin/env bash
# Refresh the vendored front-end assets under static/vendor/ from the npm registry.
# Pinned versions; no CDN at run time, no build step. Usage: bash scripts/vendor_static.sh
# Needs only bash, npm and tar. See static/vendor/README.md for what lands where.
set -euo pipefail
cd "$(dirname "$0")/.."

DS_CSS=1.22.0      # @digdir/designsystemet-css: component styles and its theme
HTMX=2.0.11        # htmx.org, newest 2.x
CHARTJS=4.6.1      # chart.js, newest 4.x
AXE=4.14.1         # axe-core, newest 4.x (accessibility checks in the browser tests)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent "@digdir/designsystemet-css@$DS_CSS" \
    "htmx.org@$HTMX" "chart.js@$CHARTJS" \
    "axe-core@$AXE" >/dev/null )
for tgz in "$work"/*.tgz; do
  mkdir -p "${tgz%.tgz}" && tar xzf "$tgz" -C "${tgz%.tgz}"
done
pkg() { echo "$work/$1/package"; }

out=static/vendor
rm -rf "$out/designsystemet" "$out/htmx" "$out/chartjs" "$out/axe-core"
mkdir -p "$out/designsystemet" "$out/htmx" "$out/chartjs" "$out/axe-core"

# Designsystemet: components + the theme the css package ships (the separate
# @digdir/designsystemet-theme package is deprecated in favour of it). The file names are the
# ones templates/base.html links.
ds=$(pkg "digdir-designsystemet-css-$DS_CSS")
cp "$ds/dist/src/index.css" "$out/designsystemet/designsystemet.css"
cp "$ds/dist/theme/designsystemet.css" "$out/designsystemet/theme.css"
cp "$ds/LICENSE" "$out/designsystemet/LICENSE"

cp "$(pkg "htmx.org-$HTMX")/dist/htmx.min.js" "$out/htmx/htmx.min.js"
cp "$(pkg "htmx.org-$HTMX")/LICENSE" "$out/htmx/LICENSE"

cp "$(pkg "chart.js-$CHARTJS")/dist/chart.umd.js" "$out/chartjs/chart.umd.js"
cp "$(pkg "chart.js-$CHARTJS")/LICENSE.md" "$out/chartjs/LICENSE.md"

cp "$(pkg "axe-core-$AXE")/axe.min.js" "$out/axe-core/axe.min.js"
cp "$(pkg "axe-core-$AXE")/LICENSE" "$out/axe-core/LICENSE"
cp "$(pkg "axe-core-$AXE")/LICENSE-3RD-PARTY.txt" "$out/axe-core/LICENSE-3RD-PARTY.txt"

# Offline + strict CSP: drop any @import of a remote URL (e.g. a Google Fonts / Inter stylesheet).
# None of the pinned versions has one; this keeps a future refresh from bringing one in.
cat > "$work/no-remote-import.sed" <<'SED'
s#@import[[:space:]]+(url\([[:space:]]*)?("(https?:)?//[^"]*"|'(https?:)?//[^']*'|(https?:)?//[^)"' ;]*)[^;]*;##g
SED
sed -E -i -f "$work/no-remote-import.sed" "$out"/designsystemet/*.css
# The .map files are not vendored; a dangling sourceMappingURL breaks collectstatic's manifest.
sed -i '/^\/\/# sourceMappingURL=/d' "$out"/chartjs/*.js "$out"/htmx/*.js "$out"/axe-core/*.js
sed -i '/^\/\*# sourceMappingURL=.*\*\/$/d' "$out"/designsystemet/*.css

# Fail loudly if anything still points off the site (data: URIs are fine).
if grep -EoH '@import|url\(["'\'']?(https?:)?//|sourceMappingURL' "$out"/designsystemet/*.css \
   || grep -lE 'sourceMappingURL=' "$out"/*/*.js; then
  echo "vendor_static.sh: remote reference or source map left in the files above" >&2
  exit 1
fi

echo "Vendored: designsystemet-css $DS_CSS (components and theme), htmx $HTMX," \
  "chart.js $CHARTJS, axe-core $AXE"
