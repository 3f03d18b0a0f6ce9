using System.Text;

namespace Billing.Cli.Output;

/// <summary>
/// Plain-text tables for a terminal: a header row, then one line per row, columns left-aligned and separated by two
/// spaces, each as wide as its widest cell. Line breaks inside a cell become spaces; an empty cell prints as <c>-</c>.
/// </summary>
public static class TablePrinter
{
    private const string Separator = "  ";

    public static string Format(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var cells = rows.Select(r => headers.Select((_, i) => Cell(i < r.Count ? r[i] : null)).ToArray()).ToList();
        var widths = headers.Select((h, i) => cells.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        Line(text, headers, widths);
        foreach (var row in cells)
        {
            Line(text, row, widths);
        }

        return text.ToString();
    }

    private static string Cell(string? value) =>
        string.IsNullOrEmpty(value) ? "-" : value.ReplaceLineEndings(" ");

    private static void Line(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            line.Append(i == cells.Count - 1 ? cells[i] : cells[i].PadRight(widths[i])).Append(i == cells.Count - 1 ? string.Empty : Separator);
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
