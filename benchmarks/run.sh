#!/usr/bin/env bash
# Runs every benchmark suite of issue #7 and writes the results to benchmarks/results/:
#   bash benchmarks/run.sh            full run (about 20-25 minutes on 2 cores), results committed to the repo
#   bash benchmarks/run.sh --quick    32-byte cases only, short iterations, results under
#                                     benchmarks/BenchmarkDotNet.Artifacts/quick-results (not committed)
# Any further arguments go to BenchmarkDotNet, e.g. --filter '*Batch*'.
# Installs the native peers (libmimalloc2.0, libpython3.11) with apt-get when they are missing and this is root;
# a peer that still is not there is skipped with a printed line.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

quick=()
bdn_args=()
for arg in "$@"; do
  if [ "$arg" = "--quick" ]; then quick=(--quick); else bdn_args+=("$arg"); fi
done
[ ${#bdn_args[@]} -eq 0 ] && bdn_args=(--filter '*')

artifacts="$here/BenchmarkDotNet.Artifacts"
if [ ${#quick[@]} -gt 0 ]; then results="$artifacts/quick-results"; else results="$here/results"; fi

have_lib() { ldconfig -p | grep -q "$1"; }
if ! have_lib libmimalloc.so.2 || ! have_lib libpython3.11.so.1.0; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing the native peers (libmimalloc2.0, libpython3.11)"
    { apt-get update && apt-get install -y libmimalloc2.0 libpython3.11; } || echo "could not install the native peers; their benchmarks will be skipped"
  else
    echo "libmimalloc2.0 / libpython3.11 missing and not root: their benchmarks will be skipped (apt-get install libmimalloc2.0 libpython3.11)"
  fi
fi

echo "== build"
dotnet build PooledGen.Benchmarks/PooledGen.Benchmarks.csproj -c Release --nologo -v q
dotnet build PooledGen.Benchmarks.Report/PooledGen.Benchmarks.Report.csproj -c Release --nologo -v q
bench=(dotnet PooledGen.Benchmarks/bin/Release/net10.0/PooledGen.Benchmarks.dll)

rm -rf "$artifacts/results"
mkdir -p "$results"
rm -f "$results"/*.md "$results"/*.png "$results"/*.json

{
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB,"
  echo "$(. /etc/os-release && echo "$PRETTY_NAME"), .NET SDK $(dotnet --version)."
  echo "Peers: $(dpkg-query -W -f '${Package} ${Version}; ' libc6 libmimalloc2.0 libpython3.11 2>/dev/null || true)"
  echo "Other builds may have run at the same time: compare the ratios, not the absolute ns."
} > "$results/run-info.md"
cat "$results/run-info.md"

echo "== memory harness"
"${bench[@]}" memory --out "$results" "${quick[@]}"

echo "== BenchmarkDotNet suites"
status=0
"${bench[@]}" "${bdn_args[@]}" --artifacts "$artifacts" "${quick[@]}" || status=$?
cp "$artifacts"/results/*-report-github.md "$results"/ 2>/dev/null || true

echo "== report"
dotnet PooledGen.Benchmarks.Report/bin/Release/net10.0/PooledGen.Benchmarks.Report.dll \
  --bdn "$artifacts/results" --out "$results" --info "$results/run-info.md" > /dev/null
echo "Results in $results (summary.md, *-report-github.md, memory.md, ns-per-op-*.png)"
exit $status
