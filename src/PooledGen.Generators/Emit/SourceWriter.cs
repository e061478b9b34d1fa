using System;
using System.Text;

namespace PooledGen.Generators.Emit;

/// <summary>
/// Writes C# text with indentation into a <see cref="StringBuilder"/>: faster and easier to read than building
/// syntax trees and normalising their whitespace.
/// </summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();
    private int _indent;

    /// <summary>Writes one line at the current indentation (an empty line stays empty).</summary>
    public SourceWriter WriteLine(string line = "")
    {
        if (line.Length > 0)
        {
            for (var i = 0; i < _indent; i++)
            {
                _builder.Append(IndentUnit);
            }

            _builder.Append(line);
        }

        _builder.Append('\n');
        return this;
    }

    /// <summary>Writes each line of a multi-line text at the current indentation.</summary>
    public SourceWriter WriteLines(string text)
    {
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            WriteLine(line);
        }

        return this;
    }

    /// <summary>Writes <c>{</c> and indents.</summary>
    public SourceWriter OpenBlock()
    {
        WriteLine("{");
        _indent++;
        return this;
    }

    /// <summary>Unindents and writes <c>}</c>.</summary>
    public SourceWriter CloseBlock()
    {
        if (_indent == 0)
        {
            throw new InvalidOperationException("No block is open.");
        }

        _indent--;
        return WriteLine("}");
    }

    /// <inheritdoc />
    public override string ToString() => _builder.ToString();
}
