#!/usr/bin/env bash
# Runs every test of ItOpsStream. Installs what the integration tests need when it is missing
# (redis-server), builds once, checks formatting, runs each test project, and ends with one line:
# "N passed, M failed" (a formatting difference counts as one failure).
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: installing redis-server (needed by the Redis integration tests)" >&2
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) \
      || echo "test.sh: could not install redis-server; Redis tests will fail" >&2
  else
    echo "test.sh: run as root or install redis-server yourself" >&2
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

if ! dotnet build ItOpsStream.sln -c Release -nologo -v q; then
  echo "test.sh: build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

status=0
# Formatting is part of the checks (.editorconfig; STYLE): a difference counts as one failed test.
format_failed=0
if ! format_out=$(dotnet format ItOpsStream.sln --verify-no-changes -v q 2>&1); then
  echo "test.sh: formatting differs from .editorconfig (run: dotnet format ItOpsStream.sln):" >&2
  grep -E "error|warning" <<<"$format_out" | head -20 >&2
  format_failed=1; status=1
fi

for proj in tests/*.Tests/*.csproj; do
  name=$(basename "$proj" .csproj)
  dotnet test "$proj" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=1
done

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
failed=$((failed + format_failed))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit $status
