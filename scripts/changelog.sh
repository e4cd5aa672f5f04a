#!/usr/bin/env bash
# Gate: the changelog. Fragments lint clean, CHANGELOG.md is what
# antsibull-changelog generates from changelogs/changelog.yaml, and every
# change to plugins/ or roles/ since the last release carries a fragment in
# changelogs/fragments/ (a `trivial:` entry is enough for changes users do not
# see). Checked per commit since the release, and for uncommitted work.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

antsibull-changelog lint
echo "fragments lint clean"

antsibull-changelog generate --output "$work/CHANGELOG.md" --output-format md
if ! diff -u CHANGELOG.md "$work/CHANGELOG.md"; then
    echo "CHANGELOG.md is not what changelogs/changelog.yaml generates: run antsibull-changelog generate"
    exit 1
fi
echo "CHANGELOG.md matches changelogs/changelog.yaml"

rc=0
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || {
    echo "not a git checkout: per-change fragment check skipped"
    exit 0
}
release=$(git log -1 --format=%H -- changelogs/changelog.yaml || true)
if [ -n "$release" ]; then
    for commit in $(git rev-list "$release..HEAD"); do
        if git diff-tree --no-commit-id --name-only -r "$commit" | grep -q -E '^(plugins|roles)/' &&
            ! git diff-tree --no-commit-id --name-only --diff-filter=AM -r "$commit" | grep -q '^changelogs/fragments/'; then
            echo "commit $(git log -1 --format='%h %s' "$commit") changes plugins/ or roles/ without a changelog fragment"
            rc=1
        fi
    done
fi
if [ -n "$(git status --porcelain -- plugins roles)" ] &&
    [ -z "$(git status --porcelain -- changelogs/fragments)" ] &&
    [ -z "$(git status --porcelain -- changelogs/changelog.yaml)" ]; then
    echo "uncommitted changes to plugins/ or roles/ without a changelog fragment in changelogs/fragments/"
    rc=1
fi
[ $rc -eq 0 ] && echo "every change to plugins/ and roles/ since the last release has a fragment"
exit $rc
