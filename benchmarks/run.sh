#!/usr/bin/env bash
# Runs every benchmark suite of issue #7 and writes the results to benchmarks/results/:
#   bash benchmarks/run.sh            full run (about 30 minutes on 2 cores), results committed to the repo
#   bash benchmarks/run.sh --quick    32-byte cases only, short iterations, results under
#                                     benchmarks/BenchmarkDotNet.Artifacts/quick-results (not committed)
#   bash benchmarks/run.sh --workloads       also the workload programs of issues #16 and #18 (speed,
#                                            binarytrees, larson; about 5 more minutes), into results/workloads/
#   bash benchmarks/run.sh --workloads-only  the workload programs alone (the other results stay as they are)
# --quick applies to the workloads too. Any further arguments go to BenchmarkDotNet, e.g. --filter '*Batch*'.
# Installs the native peers (libmimalloc2.0, libpython3.11) with apt-get when they are missing and this is root;
# a peer that still is not there is skipped with a printed line.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

quick=()
bdn_args=()
workloads=0
suites=1
for arg in "$@"; do
  case "$arg" in
    --quick) quick=(--quick) ;;
    --workloads) workloads=1 ;;
    --workloads-only) workloads=1; suites=0 ;;
    *) bdn_args+=("$arg") ;;
  esac
done
[ ${#bdn_args[@]} -eq 0 ] && bdn_args=(--filter '*')

artifacts="$here/BenchmarkDotNet.Artifacts"
if [ ${#quick[@]} -gt 0 ]; then results="$artifacts/quick-results"; else results="$here/results"; fi

# grep reads all of ldconfig's output: with -q it would stop at the first match and, under pipefail, the SIGPIPE that
# ldconfig then gets would make a library that is there look missing.
have_lib() { ldconfig -p | grep "$1" > /dev/null; }
if ! have_lib libmimalloc.so.2 || ! have_lib libpython3.11.so.1.0; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing the native peers (libmimalloc2.0, libpython3.11)"
    { apt-get update && apt-get install -y libmimalloc2.0 libpython3.11; } || echo "could not install the native peers; their benchmarks will be skipped"
  else
    echo "libmimalloc2.0 / libpython3.11 missing and not root: their benchmarks will be skipped (apt-get install libmimalloc2.0 libpython3.11)"
  fi
fi

status=0
if [ "$suites" = 1 ]; then
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
  "${bench[@]}" "${bdn_args[@]}" --artifacts "$artifacts" "${quick[@]}" || status=$?
  cp "$artifacts"/results/*-report-github.md "$results"/ 2>/dev/null || true

  echo "== report"
  dotnet PooledGen.Benchmarks.Report/bin/Release/net10.0/PooledGen.Benchmarks.Report.dll \
    --bdn "$artifacts/results" --out "$results" --info "$results/run-info.md" > /dev/null
  echo "Results in $results (summary.md, *-report-github.md, memory.md, ns-per-op-*.png)"
fi

if [ "$workloads" = 1 ]; then
  # Plain console programs (not BenchmarkDotNet): each prints its tables and writes NAME.md, NAME.json and its charts.
  echo "== workloads (speed, binarytrees, larson)"
  dotnet build PooledGen.Workloads/PooledGen.Workloads.csproj -c Release --nologo -v q
  workload=(dotnet PooledGen.Workloads/bin/Release/net10.0/PooledGen.Workloads.dll)
  mkdir -p "$results/workloads"
  for program in speed binarytrees larson; do
    echo "== workload: $program"
    "${workload[@]}" "$program" --out "$results/workloads" "${quick[@]}" || status=$?
  done
  echo "Workload results in $results/workloads (speed, binarytrees, larson: .md, .json and .png)"
fi
exit $status
