#!/usr/bin/env bash
# Refresh the vendored front-end assets under static/vendor/ from the npm registry.
# Pinned versions; no CDN at run time, no build step. Usage: bash scripts/vendor_static.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DS_CSS=1.22.0      # @digdir/designsystemet-css (components + its default theme)
HTMX=2.0.11        # htmx.org
CHARTJS=4.5.1      # chart.js
AXE=4.11.0         # axe-core (accessibility checks in the browser tests)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent "@digdir/designsystemet-css@$DS_CSS" "htmx.org@$HTMX" \
    "chart.js@$CHARTJS" "axe-core@$AXE" >/dev/null )
for tgz in "$work"/*.tgz; do
  mkdir -p "${tgz%.tgz}" && tar xzf "$tgz" -C "${tgz%.tgz}"
done

out=static/vendor
rm -rf "$out/designsystemet" "$out/htmx" "$out/chartjs" "$out/axe-core"
mkdir -p "$out/designsystemet" "$out/htmx" "$out/chartjs" "$out/axe-core"

ds="$work/digdir-designsystemet-css-$DS_CSS/package"
cp "$ds/dist/src/index.css" "$out/designsystemet/designsystemet.css"
cp "$ds/dist/theme/designsystemet.css" "$out/designsystemet/theme.css"
cp "$ds/LICENSE" "$out/designsystemet/LICENSE"

cp "$work/htmx.org-$HTMX/package/dist/htmx.min.js" "$out/htmx/htmx.min.js"
cp "$work/htmx.org-$HTMX/package/LICENSE" "$out/htmx/LICENSE"

cp "$work/chart.js-$CHARTJS/package/dist/chart.umd.js" "$out/chartjs/chart.umd.js"
cp "$work/chart.js-$CHARTJS/package/LICENSE.md" "$out/chartjs/LICENSE.md"

cp "$work/axe-core-$AXE/package/axe.min.js" "$out/axe-core/axe.min.js"
cp "$work/axe-core-$AXE/package/LICENSE" "$out/axe-core/LICENSE"

echo "Vendored: designsystemet-css $DS_CSS, htmx $HTMX, chart.js $CHARTJS, axe-core $AXE"
