using System.Diagnostics;
using System.Globalization;

namespace Billing.Cli.Invoices;

/// <summary>
/// The progress of a run: on a terminal one line redrawn in place (<c>\r</c>) at every look; otherwise (output
/// redirected or captured) a plain line when something changed, at most one every <see cref="PlainInterval"/>, and the
/// last state always, so logs stay short and readable.
/// </summary>
public sealed class ProgressLine(TextWriter output, bool redraw)
{
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    private const int Width = 30;

    private readonly Stopwatch _sinceLastLine = new();
    private string? _last;
    private bool _pendingPlain;

    /// <summary>Redraws on the console when it is a terminal; plain lines for anything else.</summary>
    public static ProgressLine For(TextWriter output) =>
        new(output, ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);

    public async Task ShowAsync(RunProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var line = Render(progress);
        if (redraw)
        {
            await output.WriteAsync($"\r{line}").ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
        }
        else if (line != _last)
        {
            if (_last is null || _sinceLastLine.Elapsed >= PlainInterval)
            {
                await output.WriteLineAsync(line).ConfigureAwait(false);
                _sinceLastLine.Restart();
                _pendingPlain = false;
            }
            else
            {
                _pendingPlain = true;
            }
        }

        _last = line;
    }

    /// <summary>Ends the progress display: the line is finished (terminal) or its last state written (plain).</summary>
    public async Task EndAsync()
    {
        if (redraw && _last is not null)
        {
            await output.WriteLineAsync().ConfigureAwait(false);
        }
        else if (_pendingPlain && _last is not null)
        {
            await output.WriteLineAsync(_last).ConfigureAwait(false);
        }
    }

    public static string Render(RunProgress p)
    {
        var finished = p.Total - p.Waiting;
        var filled = p.Total == 0 ? Width : (int)((long)finished * Width / p.Total);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', Width - filled)}] {finished}/{p.Total}  invoiced {p.Invoiced}, paid by credit {p.CoveredByCredit}, nothing to bill {p.NothingToBill}, failed {p.Failed}, waiting {p.Waiting}");
    }
}
