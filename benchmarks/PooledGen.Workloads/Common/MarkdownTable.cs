using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace PooledGen.Workloads;

/// <summary>A GitHub-markdown table: columns whose header starts with '>' are right-aligned (the '>' is dropped).</summary>
internal sealed class MarkdownTable(params string[] columns)
{
    private readonly List<string[]> _rows = [];

    public MarkdownTable Add(params string[] cells)
    {
        if (cells.Length != columns.Length)
        {
            throw new ArgumentException($"The table has {columns.Length} columns; a row gave {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", columns.Select(c => c.TrimStart('>'))).AppendLine(" |");
        text.Append('|').AppendJoin("|", columns.Select(c => c.StartsWith('>') ? "--:" : "---")).AppendLine("|");
        foreach (var row in _rows)
        {
            text.Append("| ").AppendJoin(" | ", row).AppendLine(" |");
        }

        return text.ToString();
    }
}
