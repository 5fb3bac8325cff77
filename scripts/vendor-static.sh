#!/usr/bin/env bash
# Vendor Mamori's front-end assets from the npm registry: no CDN, no JS build step.
#
# Usage: scripts/vendor-static.sh [TABLER_VERSION] [HTMX_VERSION]
#   (or set TABLER_VERSION / HTMX_VERSION in the environment; arguments win.)
#
# Downloads the exact package versions with `npm pack`, copies the prebuilt files into
# mamori/core/static/vendor/{tabler,htmx}/ (replacing those two folders entirely), and
# rewrites mamori/core/static/vendor/VENDORED.md with each file's sha256.
# mamori/core/tests/test_vendored_static.py checks the files against that table.
set -euo pipefail

TABLER_VERSION="${1:-${TABLER_VERSION:-1.6.1}}"
HTMX_VERSION="${2:-${HTMX_VERSION:-2.0.11}}"
MAX_MAP_BYTES=$((1024 * 1024))   # copy a source map only if smaller than 1 MiB

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/mamori/core/static/vendor"

for tool in npm tar sha256sum; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done
# Exact versions only, so the result is reproducible.
for v in "$TABLER_VERSION" "$HTMX_VERSION"; do
    [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-.+][0-9A-Za-z.-]+)?$ ]] \
        || { echo "error: '$v' is not an exact version (e.g. 1.6.1)" >&2; exit 1; }
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/stage"
mkdir -p "$STAGE/tabler" "$STAGE/htmx"

# fetch SPEC DIR: npm pack SPEC into $WORK and unpack it into DIR (a "package/" folder).
# Leaves the tarball's integrity string in $WORK/<dir>.integrity.
fetch() {
    local spec="$1" dir="$2" tgz
    tgz="$(cd "$WORK" && npm pack --silent "$spec" | tail -n 1)"
    mkdir -p "$WORK/$dir"
    tar -xzf "$WORK/$tgz" -C "$WORK/$dir"
    (cd "$WORK" && npm view "$spec" dist.integrity) > "$WORK/$dir.integrity"
}

# pkg_version DIR: the version in the unpacked package.json.
pkg_version() {
    sed -n 's/^  "version": "\(.*\)",$/\1/p' "$WORK/$1/package/package.json" | head -n 1
}

# copy_min SRC DEST: copy a minified file; keep its source map if small, else drop the
# sourceMappingURL comment (a dangling reference 404s in browsers and makes Django's
# ManifestStaticFilesStorage fail at collectstatic).
copy_min() {
    local src="$1" dest="$2" map
    cp "$src" "$dest"
    map="$(sed -nE 's@^/[*/]# sourceMappingURL=([^ ]+)( \*/)?$@\1@p' "$src" | tail -n 1)"
    [[ -n "$map" ]] || return 0
    if [[ "$map" != */* && -f "$(dirname "$src")/$map" ]] \
        && (( $(stat -c %s "$(dirname "$src")/$map") < MAX_MAP_BYTES )); then
        cp "$(dirname "$src")/$map" "$(dirname "$dest")/$map"
    else
        sed -i -E '/^\/[*\/]# sourceMappingURL=[^ ]+( \*\/)?$/d' "$dest"
    fi
}

# copy_css_urls SRC_CSS DEST_CSS: copy the files a stylesheet references with url(...)
# (fonts, images), keeping their paths relative to the stylesheet. data:, absolute and
# fragment-only URLs are left alone. A reference outside the destination folder is an error.
copy_css_urls() {
    local src="$1" dest="$2" url path from to destdir
    destdir="$(dirname "$dest")"
    while IFS= read -r url; do
        url="${url#[\"\']}"; url="${url%[\"\']}"
        case "$url" in data:*|http:*|https:*|//*|/*|\#*|"") continue ;; esac
        path="${url%%[?#]*}"
        from="$(realpath -m "$(dirname "$src")/$path")"
        to="$(realpath -m "$destdir/$path")"
        [[ -f "$from" ]] || { echo "error: $src references missing $url" >&2; exit 1; }
        [[ "$to" == "$STAGE"/* ]] || { echo "error: $url leaves the vendor folder" >&2; exit 1; }
        mkdir -p "$(dirname "$to")"
        cp "$from" "$to"
    done < <(grep -oE 'url\([^)]*\)' "$src" | sed -E 's/^url\(\s*//; s/\s*\)$//' | sort -u)
}

echo "Fetching @tabler/core@$TABLER_VERSION and htmx.org@$HTMX_VERSION from npm..."
fetch "@tabler/core@$TABLER_VERSION" tabler
fetch "htmx.org@$HTMX_VERSION" htmx
[[ "$(pkg_version tabler)" == "$TABLER_VERSION" ]] || { echo "error: tabler version mismatch" >&2; exit 1; }
[[ "$(pkg_version htmx)" == "$HTMX_VERSION" ]] || { echo "error: htmx version mismatch" >&2; exit 1; }

# --- Tabler --------------------------------------------------------------------------
T="$WORK/tabler/package"
copy_min "$T/dist/css/tabler.min.css" "$STAGE/tabler/tabler.min.css"
copy_css_urls "$T/dist/css/tabler.min.css" "$STAGE/tabler/tabler.min.css"
copy_min "$T/dist/js/tabler.min.js" "$STAGE/tabler/tabler.min.js"
if [[ -f "$T/LICENSE" ]]; then
    cp "$T/LICENSE" "$STAGE/tabler/LICENSE"
else
    # The @tabler/core npm tarball ships no LICENSE file (package.json says "MIT").
    # Write the MIT licence text with the copyright lines from the file's own banner.
    [[ "$(sed -n 's/^  "license": "\(.*\)",$/\1/p' "$T/package.json")" == "MIT" ]] \
        || { echo "error: @tabler/core is no longer MIT; check its licence" >&2; exit 1; }
    copyright="$(head -n 10 "$T/dist/css/tabler.min.css" \
        | sed -nE 's/^ ?\*? ?Copyright (.*)$/Copyright (c) \1/p')"
    [[ -n "$copyright" ]] || { echo "error: no copyright line in tabler.min.css" >&2; exit 1; }
    {
        printf 'The MIT License (MIT)\n\n%s\n\n' "$copyright"
        cat <<'MIT'
Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
MIT
    } > "$STAGE/tabler/LICENSE"
    TABLER_LICENSE_NOTE=1
fi

# --- htmx ----------------------------------------------------------------------------
H="$WORK/htmx/package"
copy_min "$H/dist/htmx.min.js" "$STAGE/htmx/htmx.min.js"
cp "$H/LICENSE" "$STAGE/htmx/LICENSE"

# --- install and record --------------------------------------------------------------
mkdir -p "$VENDOR"
rm -rf "$VENDOR/tabler" "$VENDOR/htmx"
cp -R "$STAGE/tabler" "$STAGE/htmx" "$VENDOR/"

row() {  # row DIR PACKAGE VERSION: one table row per file under vendor/DIR
    local dir="$1" pkg="$2" ver="$3" f
    (cd "$VENDOR" && find "$dir" -type f | LC_ALL=C sort) | while IFS= read -r f; do
        printf '| `%s` | `%s` | %s | `%s` |\n' "$f" "$pkg" "$ver" \
            "$(sha256sum "$VENDOR/$f" | cut -d ' ' -f 1)"
    done
}

{
    cat <<MD
# Vendored front-end assets

Prebuilt files copied verbatim from the npm registry (no CDN, no JS build step).
Generated by \`scripts/vendor-static.sh\`; do not edit by hand. The test
\`mamori/core/tests/test_vendored_static.py\` checks every file below against its sha256 and
fails on any file in this folder that is not listed.

| File | Package | Version | sha256 |
|------|---------|---------|--------|
MD
    row tabler "@tabler/core" "$TABLER_VERSION"
    row htmx "htmx.org" "$HTMX_VERSION"
    cat <<MD

## Sources

| Package | Version | Licence | npm tarball integrity |
|---------|---------|---------|-----------------------|
| \`@tabler/core\` | $TABLER_VERSION | MIT | \`$(cat "$WORK/tabler.integrity")\` |
| \`htmx.org\` | $HTMX_VERSION | 0BSD | \`$(cat "$WORK/htmx.integrity")\` |

- \`tabler/tabler.min.css\`, \`tabler/tabler.min.js\`: \`dist/css/\` and \`dist/js/\` of \`@tabler/core\`.
- \`htmx/htmx.min.js\`: \`dist/\` of \`htmx.org\`; \`htmx/LICENSE\`: the package's \`LICENSE\`.
- Source maps are copied when under 1 MiB; otherwise the \`sourceMappingURL\` comment is
  removed from the copied file (a dangling reference would 404 and break \`collectstatic\`
  with the manifest storage). Files referenced by \`url(...)\` in the stylesheet are copied
  with their relative paths; at the time of writing Tabler's CSS only uses \`data:\` URIs
  and the system font stack, so it needs no font or image files.
MD
    if [[ -n "${TABLER_LICENSE_NOTE:-}" ]]; then
        cat <<'MD'
- The `@tabler/core` npm tarball contains no `LICENSE` file. `tabler/LICENSE` is the
  standard MIT text (the licence in its `package.json` and in the upstream repository's
  `LICENSE`) with the copyright lines taken from the banner of `tabler.min.css`.
MD
    fi
    cat <<MD

## Reproduce or update

Needs \`npm\` (registry access only), \`tar\` and \`sha256sum\`. From the repository root:

\`\`\`sh
scripts/vendor-static.sh $TABLER_VERSION $HTMX_VERSION   # these exact versions
npm view @tabler/core@1 version | tail -n 1   # latest 1.x, to update
npm view htmx.org@2 version | tail -n 1       # latest 2.x, to update
scripts/vendor-static.sh NEW_TABLER NEW_HTMX
.venv/bin/python -m pytest -p no:django mamori/core/tests/test_vendored_static.py -q
\`\`\`

Re-running with the same versions rewrites identical files and hashes.
MD
} > "$VENDOR/VENDORED.md"

echo "Vendored into $VENDOR:"
(cd "$VENDOR" && find tabler htmx -type f | LC_ALL=C sort | sed 's/^/  /')
