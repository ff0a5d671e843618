#!/usr/bin/env bash
# Regenerates src/StatsCache/PublicAPI.Unshipped.txt from the library's current public surface
# (Microsoft.CodeAnalysis.PublicApiAnalyzers; the build fails with RS0016/RS0017 while the files and the
# code disagree). PublicAPI.Shipped.txt is the surface of the last release and is left alone; the
# Unshipped file becomes: every public symbol not in Shipped, plus a "*REMOVED*" line for every
# Shipped symbol that is gone (a rename or a signature change is one of each).
#
#   bash eng/update-public-api.sh          after an intended public change; review `git diff src/StatsCache/PublicAPI.*`
#   bash eng/update-public-api.sh --ship   at a release: Shipped becomes the whole current surface, Unshipped empty
#
# It runs `dotnet format analyzers --diagnostics RS0016` (the analyzer's own code fix, about 30 s) on
# emptied files, so the result does not depend on what the files held before.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

project=src/StatsCache/StatsCache.csproj
shipped=src/StatsCache/PublicAPI.Shipped.txt
unshipped=src/StatsCache/PublicAPI.Unshipped.txt
header='#nullable enable'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

symbols() { grep -v -e '^#nullable' -e '^[[:space:]]*$' "$1" | LC_ALL=C sort -u; }

symbols "$shipped" >"$work/shipped"
printf '%s\n' "$header" >"$shipped"
printf '%s\n' "$header" >"$unshipped"
# RS0016's code fix adds every public symbol missing from both files to the Unshipped file.
dotnet format analyzers "$project" --diagnostics RS0016 --severity info >"$work/format.log" 2>&1 || {
    cat "$work/format.log" >&2
    { printf '%s\n' "$header"; cat "$work/shipped"; } >"$shipped"
    echo "update-public-api: dotnet format failed; $shipped restored" >&2
    exit 1
}
symbols "$unshipped" >"$work/current"
if [[ ! -s "$work/current" ]]; then
    { printf '%s\n' "$header"; cat "$work/shipped"; } >"$shipped"
    echo "update-public-api: no public symbol was written (see the log below); $shipped restored" >&2
    cat "$work/format.log" >&2
    exit 1
fi

if [[ "${1:-}" == "--ship" ]]; then
    { printf '%s\n' "$header"; cat "$work/current"; } >"$shipped"
    printf '%s\n' "$header" >"$unshipped"
else
    { printf '%s\n' "$header"; cat "$work/shipped"; } >"$shipped"
    {
        printf '%s\n' "$header"
        LC_ALL=C comm -13 "$work/shipped" "$work/current"
        LC_ALL=C comm -23 "$work/shipped" "$work/current" | sed 's/^/*REMOVED*/'
    } >"$unshipped"
fi

echo "update-public-api: $(($(wc -l <"$unshipped") - 1)) line(s) in $unshipped"
