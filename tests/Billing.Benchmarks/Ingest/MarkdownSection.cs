namespace Billing.Benchmarks.Ingest;

/// <summary>Replaces the text between two marker lines of a markdown file (appending both markers when absent).</summary>
internal static class MarkdownSection
{
    public static void Write(string path, string beginMarker, string endMarker, string content)
    {
        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        var section = beginMarker + "\n" + content.TrimEnd() + "\n" + endMarker;
        var begin = existing.IndexOf(beginMarker, StringComparison.Ordinal);
        var end = begin < 0 ? -1 : existing.IndexOf(endMarker, begin, StringComparison.Ordinal);
        var updated = begin >= 0 && end > begin
            ? existing[..begin] + section + existing[(end + endMarker.Length)..]
            : existing.TrimEnd() + (existing.Length > 0 ? "\n\n" : "") + section + "\n";
        File.WriteAllText(path, updated);
    }
}
