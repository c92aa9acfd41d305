#!/usr/bin/env bash
# Fails when any C++ file differs from what clang-format would write.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.h' '*.cc' 2>/dev/null || find src cli tests bench -name '*.h' -o -name '*.cc')
bad=0
for f in $files; do
  [ -f "$f" ] || continue
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "format: $f needs clang-format -i" >&2
    bad=1
  fi
done
[ $bad -eq 0 ] && echo "format: all C++ files are clang-formatted"
exit $bad
