using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Billing.Application.Outcomes;

namespace Billing.Application;

/// <summary>
/// The page size and the cursor of every paged listing (the caller's credit ledger, the operators' accounts, invoices
/// and invoice runs), read and written one way. A cursor is opaque: the keyset position after which the next page
/// starts, tagged with its listing and a digest of the filters of the page that handed it out, base64url-encoded. A
/// cursor of another listing, or sent with other filters (which would silently page another result), is a field error
/// on <c>cursor</c>.
/// </summary>
public static class Paging
{
    public const string CursorField = "cursor";

    public const string LimitField = "limit";

    private const int MaxCursorLength = 1024;

    private const int DigestBytes = 9;

    /// <summary>UTF-8 that refuses invalid bytes instead of replacing them: a cursor is exactly what was handed out.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The rule of <c>limit</c>, as a 400 states it.</summary>
    public static string LimitRule(int maxSize) => $"Must be a whole number from 1 to {maxSize}.";

    /// <summary>The page size asked for, <paramref name="defaultSize"/> when none was, or a field error.</summary>
    public static int? Size(int? limit, int defaultSize, int maxSize, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (limit is < 1 || limit > maxSize)
        {
            errors.Add(LimitField, LimitRule(maxSize));
            return null;
        }

        return limit ?? defaultSize;
    }

    /// <summary>The cursor that asks for the page after <paramref name="position"/>, with the same filters.</summary>
    public static string Next(string listing, string position, params ReadOnlySpan<(string Name, string? Value)> filters)
    {
        ArgumentException.ThrowIfNullOrEmpty(listing);
        ArgumentException.ThrowIfNullOrEmpty(position);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{listing}|{Digest(filters)}|{position}"));
    }

    /// <summary>
    /// The position a cursor carries (null without a cursor), or a field error when it is not a cursor of
    /// <paramref name="listing"/>, holds no position <paramref name="isPosition"/> accepts, or was handed out with
    /// other filters than <paramref name="filters"/> (compared only while no other parameter is refused: a refused filter
    /// is the error to fix first).
    /// </summary>
    public static string? After(string listing, string? cursor, ValidationErrors errors, Func<string, bool>? isPosition = null, params ReadOnlySpan<(string Name, string? Value)> filters)
    {
        ArgumentException.ThrowIfNullOrEmpty(listing);
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        var parts = Decode(cursor)?.Split('|', 3);
        if (parts is not [var tag, var digest, { Length: > 0 } position] || tag != listing || (isPosition is not null && !isPosition(position)))
        {
            errors.Add(CursorField, "Not a cursor of this listing: pass the nextCursor of the previous page unchanged.");
            return null;
        }

        if (errors.IsEmpty && digest != Digest(filters))
        {
            var names = new List<string>(filters.Length);
            foreach (var (name, _) in filters)
            {
                names.Add(name);
            }

            errors.Add(CursorField, $"This cursor was handed out with other filters: send it with the same {string.Join(", ", names)} as the page it came from, or start again without a cursor.");
            return null;
        }

        return position;
    }

    private static string? Decode(string cursor)
    {
        if (cursor.Length > MaxCursorLength || !Base64Url.IsValid(cursor))
        {
            return null;
        }

        try
        {
            return StrictUtf8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>A short digest of the filters as the use case normalised them (names and values; absent and empty alike).</summary>
    private static string Digest(ReadOnlySpan<(string Name, string? Value)> filters)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in filters)
        {
            text.Append(name).Append('=').Append(value?.Length ?? 0).Append(':').Append(value).Append('\n');
        }

        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, DigestBytes));
    }
}
