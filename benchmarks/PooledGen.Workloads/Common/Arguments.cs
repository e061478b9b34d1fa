using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace PooledGen.Workloads;

/// <summary>
/// The options of one subcommand: <c>--name value</c> pairs and bare <c>--flag</c>s. Every option a command reads is
/// recorded, so that <see cref="ThrowIfUnknown"/> can refuse a misspelt one instead of silently running defaults.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> _given = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public Arguments(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length == 2)
            {
                throw new UsageException($"Expected an option such as --runs, got '{name}'.");
            }

            var hasValue = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            _given[name[2..]] = hasValue ? args[++i] : null;
        }
    }

    /// <summary>The command line as given, for the record in the results.</summary>
    public string Text => string.Join(' ', _given.Select(p => p.Value is null ? "--" + p.Key : $"--{p.Key} {p.Value}"));

    public bool Flag(string name)
    {
        _read.Add(name);
        if (_given.TryGetValue(name, out var value) && value is not null)
        {
            throw new UsageException($"--{name} takes no value (got '{value}').");
        }

        return _given.ContainsKey(name);
    }

    public string? String(string name)
    {
        _read.Add(name);
        if (!_given.TryGetValue(name, out var value))
        {
            return null;
        }

        return value ?? throw new UsageException($"--{name} needs a value.");
    }

    public int Int(string name, int fallback, int min, int max = int.MaxValue)
    {
        var text = String(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
        {
            throw new UsageException($"--{name} must be a whole number from {min} to {max} (got '{text}').");
        }

        return value;
    }

    public double Double(string name, double fallback, double min, double max)
    {
        var text = String(name);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be a number from {min} to {max} (got '{text}').");
        }

        return value;
    }

    /// <summary>A comma-separated list, each item one of <paramref name="allowed"/> (case-insensitive); all of them when absent.</summary>
    public IReadOnlyList<string> Choices(string name, IReadOnlyList<string> allowed)
    {
        var text = String(name);
        if (text is null)
        {
            return allowed;
        }

        var chosen = new List<string>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = allowed.FirstOrDefault(a => string.Equals(a, item, StringComparison.OrdinalIgnoreCase))
                ?? throw new UsageException($"--{name}: '{item}' is not one of {string.Join(", ", allowed)}.");
            chosen.Add(match);
        }

        return chosen.Count > 0 ? chosen : throw new UsageException($"--{name} needs at least one of {string.Join(", ", allowed)}.");
    }

    public void ThrowIfUnknown()
    {
        var unknown = _given.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"Unknown option {string.Join(", ", unknown.Select(u => "--" + u))}; known here: "
                + string.Join(", ", _read.Order(StringComparer.Ordinal).Select(r => "--" + r)) + ".");
        }
    }
}

/// <summary>A command line the program cannot run; the message says what to change.</summary>
internal sealed class UsageException(string message) : Exception(message);
