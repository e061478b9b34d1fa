#!/usr/bin/env bash
# Times the ownership analyzer (PG0010-PG0014) inside a real compiler run, the way a user's build pays for it:
# generates a project of N methods (default 2,000) of which P% (default 10) allocate and free pooled handles, builds
# it with `-p:ReportAnalyzer=true`, and prints, per run, the OwnershipAnalyzer's time and the whole Csc task's time.
#
#   bash benchmarks/ownership-analyzer-timing.sh                     this checkout, 3 runs
#   bash benchmarks/ownership-analyzer-timing.sh --repo /path/to/other/checkout --runs 5
#   bash benchmarks/ownership-analyzer-timing.sh --methods 4000 --handle-percent 20 --keep
#
# The analyzer and the runtime are built from --repo (Release) and referenced as files, so two checkouts (before and
# after a change) are timed on the very same generated project. Each run is a full rebuild in a fresh compiler
# process (no compiler server), so every run pays the same JIT. On a machine other builds share, the spread between
# runs is wide: compare medians, and compare the analyzer's share of Csc rather than absolute seconds.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
runs=3
methods=2000
handle_percent=10
keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --repo) repo="$(cd "$2" && pwd)"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --methods) methods="$2"; shift 2 ;;
    --handle-percent) handle_percent="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

echo "== building the analyzer and runtime of $repo ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'not a git checkout'))"
dotnet build "$repo/src/PooledGen.Generators/PooledGen.Generators.csproj" -c Release --nologo -v q
dotnet build "$repo/src/PooledGen.Runtime/PooledGen.Runtime.csproj" -c Release -f net10.0 --nologo -v q
analyzer="$repo/src/PooledGen.Generators/bin/Release/netstandard2.0/PooledGen.Generators.dll"
runtime="$repo/src/PooledGen.Runtime/bin/Release/net10.0/PooledGen.Runtime.dll"

work="$(mktemp -d)"
if [ "$keep" = false ]; then trap 'rm -rf "$work"' EXIT; fi
echo "== generating $methods methods, $handle_percent% with handles, in $work"

cat > "$work/Timing.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Library</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
    <NoWarn>\$(NoWarn);CS1591;CS0219;CS0168</NoWarn>
    <UseSharedCompilation>false</UseSharedCompilation>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include="PooledGen.Runtime" HintPath="$runtime" />
    <Analyzer Include="$analyzer" />
  </ItemGroup>
</Project>
EOF

cat > "$work/Structs.cs" <<'EOF'
using PooledGen;

namespace Timing;

[Pooled] public partial struct Particle { public float X, Y, VelocityX, VelocityY, Life; }
[Pooled] public partial struct Node { public int Value; public Pooled<Node> Next; }
[Pooled] public partial struct Sample { public long Ticks; public double Reading; public int Channel; }
EOF

# A handle method every 100 / handle_percent methods; the others are ordinary code, a few of them with `using` or
# Dispose, which the analyzer's cheap token filter lets through to the operation walk.
stride=$(( 100 / handle_percent ))
per_file=100
files=$(( (methods + per_file - 1) / per_file ))
for ((f = 0; f < files; f++)); do
  {
    echo "using System.Text;"
    echo "using PooledGen;"
    echo
    echo "namespace Timing;"
    echo
    echo "public sealed class Unit$f"
    echo "{"
    echo "    private readonly List<Pooled<Particle>> _live = new();"
    echo "    private readonly ArenaHeap _heap = new();"
    echo "    private int _counter;"
    for ((k = 0; k < per_file && f * per_file + k < methods; k++)); do
      m=$(( f * per_file + k ))
      echo
      if (( m % stride == 0 )); then
        case $(( (m / stride) % 8 )) in
          0) cat <<EOF
    public float Handles$m(float x)
    {
        var p = Particle.Alloc();
        p.Value.X = x;
        p.Value.Life = x * 2;
        var result = p.Value.X + p.Value.Life;
        Particle.Free(p);
        return result;
    }
EOF
          ;;
          1) cat <<EOF
    public float Handles$m(float x)
    {
        using var p = Particle.Alloc(new Particle { X = x });
        if (x < 0) return 0;
        p.Value.Y = x + 1;
        return p.Value.Y;
    }
EOF
          ;;
          2) cat <<EOF
    public double Handles$m(int n)
    {
        var s = Sample.Alloc();
        try
        {
            for (var i = 0; i < n; i++)
            {
                if (i % 7 == 3) continue;
                s.Value.Reading += i * 0.5;
            }

            return s.Value.Reading;
        }
        finally
        {
            Sample.Free(s);
        }
    }
EOF
          ;;
          3) cat <<EOF
    public int Handles$m(int[] values)
    {
        var sum = 0;
        foreach (var v in values)
        {
            var node = Node.Alloc();
            node.Value.Value = v;
            sum += node.Value.Value;
            if (v < 0)
            {
                Node.Free(node);
                break;
            }

            Node.Free(node);
        }

        return sum;
    }
EOF
          ;;
          4) cat <<EOF
    public void Handles$m(bool keep)
    {
        var p = keep ? Particle.Alloc() : default;
        if (!p.IsNull)
        {
            p.Value.VelocityX = 1;
            _live.Add(p);
        }

        _counter++;
    }
EOF
          ;;
          5) cat <<EOF
    public long Handles$m(long ticks)
    {
        var s = _heap.Alloc<Sample>();
        s.Value.Ticks = ticks;
        var result = s.Value.Ticks * 3;
        _heap.Free(s);
        return result;
    }
EOF
          ;;
          6) cat <<EOF
    public static Pooled<Particle> Spawn$m(float x)
    {
        var p = Particle.Alloc();
        p.Value.X = x;
        p.Value.Life = 1;
        return p;
    }
EOF
          ;;
          7) cat <<EOF
    public float Handles$m(float x)
    {
        var p = Unit$(( (m - stride) / per_file )).Spawn$(( m - stride ))(x);
        var life = p.Value.Life;
        Particle.Free(p);
        return life;
    }
EOF
          ;;
        esac
      else
        case $(( m % 20 )) in
          1) cat <<EOF
    public string Ordinary$m(IEnumerable<int> values)
    {
        using var writer = new StringWriter();
        foreach (var v in values.Where(v => v % 3 != 0)) writer.Write(v);
        return writer.ToString();
    }
EOF
          ;;
          2) cat <<EOF
    public void Ordinary$m(IDisposable? resource)
    {
        if (resource is null) return;
        _counter += 2;
        resource.Dispose();
    }
EOF
          ;;
          *) cat <<EOF
    public int Ordinary$m(int[] values, string name)
    {
        var builder = new StringBuilder(name);
        var total = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] > $m) total += values[i] % 17;
            else if (values[i] < 0) builder.Append(i);
        }

        _counter += total;
        return total + builder.Length + name.GetHashCode() % $((m + 1));
    }
EOF
          ;;
        esac
      fi
    done
    echo "}"
  } > "$work/Unit$f.cs"
done

dotnet restore "$work/Timing.csproj" -v q --nologo

echo "== $runs runs"
printf '%-5s %14s %12s %8s\n' run "ownership (s)" "Csc (s)" "share"
for ((r = 1; r <= runs; r++)); do
  log="$work/build-$r.log"
  dotnet build "$work/Timing.csproj" -c Release --no-restore --nologo -t:Rebuild -p:ReportAnalyzer=true -v:d \
    -clp:PerformanceSummary > "$log" 2>&1 || { tail -n 40 "$log"; echo "build failed (log: $log)" >&2; exit 1; }
  # "   0.123    4       PooledGen.Generators.Ownership.OwnershipAnalyzer (PG0010, ...)" in the analyzer report;
  # "     4567 ms  Csc      1 calls" in the task performance summary.
  ownership=$(grep -E '^\s+[0-9.<]+\s+[0-9<]+\s+PooledGen\.Generators\.Ownership\.OwnershipAnalyzer' "$log" | head -n 1 | awk '{print $1}')
  csc_ms=$(grep -E '^\s+[0-9]+ ms\s+Csc\s' "$log" | tail -n 1 | awk '{print $1}')
  if [ -z "$ownership" ] || [ -z "$csc_ms" ]; then
    echo "could not find the analyzer report or the Csc time in $log" >&2
    keep=true
    exit 1
  fi
  csc=$(awk -v ms="$csc_ms" 'BEGIN { printf "%.3f", ms / 1000 }')
  share=$(awk -v a="${ownership#<}" -v c="$csc" 'BEGIN { printf "%.1f%%", 100 * a / c }')
  printf '%-5s %14s %12s %8s\n' "$r" "$ownership" "$csc" "$share"
done
