using System.Buffers.Text;
using System.Text;

namespace Billing.Application.Admin;

/// <summary>
/// The opaque <c>cursor</c> of the admin listings: the keyset position after which the next page starts, tagged
/// with the listing it belongs to and base64url-encoded. It carries no filters: a client sends the same filters with it.
/// </summary>
internal static class AdminCursor
{
    public const string Field = "cursor";

    private const int MaxLength = 1024;

    public static string Encode(string listing, string position) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{listing}|{position}"));

    /// <summary>The position, or null when the text is not a cursor of <paramref name="listing"/>.</summary>
    public static string? Decode(string listing, string cursor)
    {
        if (cursor.Length is 0 or > MaxLength || !Base64Url.IsValid(cursor))
        {
            return null;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return null;
        }

        var prefix = listing + "|";
        return text.StartsWith(prefix, StringComparison.Ordinal) && text.Length > prefix.Length ? text[prefix.Length..] : null;
    }
}
