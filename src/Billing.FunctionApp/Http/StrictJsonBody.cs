using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Billing.Domain;
using Microsoft.Net.Http.Headers;

namespace Billing.FunctionApp.Http;

/// <summary>
/// Reads a small JSON request body strictly: an object whose members are exactly the contract's camelCase property
/// names (unknown and duplicate members refused, <c>required</c> members demanded), each of the contract's type or
/// null where the type allows it:
/// <list type="bullet">
/// <item><c>string</c>, <c>bool</c>, an array of strings;</item>
/// <item><c>long</c> or <c>int</c>: a JSON integer (no fraction, no exponent, not a string) within the type's range;</item>
/// <item><c>DateTimeOffset</c>: an RFC 3339 string with an explicit offset or <c>Z</c>, e.g. <c>2026-12-01T10:00:00Z</c>;</item>
/// <item>an array of <see cref="JsonElement"/>: any JSON array, its items handed over raw, for a batch to check each one
/// with <see cref="ReadElement{T}"/>.</item>
/// </list>
/// Any array member may be capped with <see cref="MaxItemsAttribute"/>. Anything else is a 400 naming the field,
/// including text that is not valid Unicode (invalid UTF-8, lone surrogate escapes); a content type other than JSON, a
/// charset other than UTF-8 or any <c>Content-Encoding</c> is 415; a body over the limit (<see cref="MaxBytes"/> unless
/// the call says otherwise) is 413. A request can therefore never smuggle extra data (such as another account's id)
/// past the contract, and no body shape can make a function fail.
/// </summary>
internal static partial class StrictJsonBody
{
    /// <summary>The default body limit.</summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>
    /// The limit for batch bodies: 100 usage records with every field at its longest fit, also as .NET's serializer
    /// writes them by default (non-ASCII escaped as <c>\uXXXX</c>: a 128-character account id takes 768 bytes).
    /// </summary>
    public const int BatchMaxBytes = 256 * 1024;

    /// <summary>The key of errors about the body (or, for <see cref="ReadElement{T}"/>, the element) as a whole.</summary>
    public const string BodyField = "$";

    /// <summary>The error of a whole-number member given anything but a JSON integer in range.</summary>
    public const string WholeNumberMessage = "Must be a whole number.";

    /// <summary>The error of a timestamp member given anything but an RFC 3339 string with an offset.</summary>
    public const string TimestampMessage = "Must be an RFC 3339 timestamp with an offset, e.g. 2026-12-01T10:00:00Z.";

    /// <summary>Unknown fields named one by one; beyond them one count (an answer never grows with the body).</summary>
    private const int MaxUnknownFieldsNamed = 10;

    /// <summary>How much of an unknown member's name an error repeats.</summary>
    private const int MaxFieldNameNamed = 64;

    private const string Int32RangeMessage = "Must be a whole number from -2147483648 to 2147483647.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = false,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>Reads the body with the default limit of <see cref="MaxBytes"/>.</summary>
    /// <param name="required">False: an empty body reads as an empty object.</param>
    public static Task<StrictJsonBodyResult<T>> ReadAsync<T>(HttpRequest request, bool required, CancellationToken cancellationToken)
        where T : class, new() =>
        ReadAsync<T>(request, required, MaxBytes, cancellationToken);

    /// <summary>Reads the body, answering 413 when it is over <paramref name="maxBytes"/>.</summary>
    /// <param name="required">False: an empty body reads as an empty object.</param>
    /// <param name="maxBytes">The largest body accepted, for example <see cref="BatchMaxBytes"/>.</param>
    public static async Task<StrictJsonBodyResult<T>> ReadAsync<T>(HttpRequest request, bool required, int maxBytes, CancellationToken cancellationToken)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        var body = await LimitedBody.ReadAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return TooLarge<T>(maxBytes);
        }

        if (body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return required
                ? StrictJsonBodyResult<T>.Invalid(Error(BodyField, "A JSON object body is required."))
                : StrictJsonBodyResult<T>.Read(new T());
        }

        if (UnsupportedMediaType(request) is { } mediaTypeProblem)
        {
            return StrictJsonBodyResult<T>.Failed(Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", mediaTypeProblem, "unsupported_media_type"));
        }

        var contract = Contract<T>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            return StrictJsonBodyResult<T>.Invalid(Error(BodyField, "The body is not valid JSON."));
        }

        using (document)
        {
            var errors = Check(document.RootElement, contract, "The body must be a JSON object.");
            return errors.Count > 0
                ? StrictJsonBodyResult<T>.Invalid(errors)
                : StrictJsonBodyResult<T>.Read(document.RootElement.Deserialize(contract)!);
        }
    }

    /// <summary>
    /// Checks one item of a <see cref="JsonElement"/> array member (one record of a batch) against the contract
    /// <typeparamref name="T"/> with the same rules as a body: the record, or a 400 whose <see cref="StrictJsonBodyResult{T}.Errors"/>
    /// name the record's bad fields (<c>$</c> when the item is not an object).
    /// </summary>
    public static StrictJsonBodyResult<T> ReadElement<T>(JsonElement element)
        where T : class
    {
        var contract = Contract<T>();
        var errors = Check(element, contract, "Must be a JSON object.");
        return errors.Count > 0
            ? StrictJsonBodyResult<T>.Invalid(errors)
            : StrictJsonBodyResult<T>.Read(element.Deserialize(contract)!);
    }

    private static JsonTypeInfo<T> Contract<T>() => (JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T));

    private static string? UnsupportedMediaType(HttpRequest request)
    {
        if (request.Headers.ContentEncoding.Any(e => !string.Equals(e, "identity", StringComparison.OrdinalIgnoreCase)))
        {
            return "Compressed bodies are not accepted: send the JSON without Content-Encoding.";
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                 || (mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase) && mediaType.Type.Equals("application", StringComparison.OrdinalIgnoreCase))))
        {
            return "Send the body as application/json.";
        }

        // A parameter value may be sent as a quoted string (RFC 9110 5.6.6): charset="utf-8" is UTF-8 too.
        return mediaType.Charset.HasValue && !HeaderUtilities.RemoveQuotes(mediaType.Charset).Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            ? "Send the body as UTF-8 (charset=utf-8 or no charset)."
            : null;
    }

    /// <param name="notAnObject">The message when <paramref name="root"/> is not an object.</param>
    private static Dictionary<string, string[]> Check(JsonElement root, JsonTypeInfo contract, string notAnObject)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Error(BodyField, notAnObject);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var known = contract.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unknown = 0;
        foreach (var member in root.EnumerateObject())
        {
            var field = ReadableName(member);
            if (field is null)
            {
                errors[BodyField] = ["A member name is not valid Unicode text."];
            }
            else if (!known.TryGetValue(field, out var property))
            {
                if (++unknown <= MaxUnknownFieldsNamed)
                {
                    errors[WholeCharacters.Prefix(field, MaxFieldNameNamed)] = [known.Count == 0
                        ? "Unknown field: this request takes no fields (send no body, or {})."
                        : $"Unknown field. Accepted: {string.Join(", ", known.Keys)}."];
                }
                else
                {
                    errors[BodyField] = [$"{unknown - MaxUnknownFieldsNamed} more unknown field(s)."];
                }
            }
            else if (!seen.Add(field))
            {
                errors[field] = ["The field appears more than once."];
            }
            else if (TypeError(member.Value, property) is { } message)
            {
                errors[field] = [message];
            }
        }

        foreach (var property in contract.Properties.Where(p => p.IsRequired && !seen.Contains(p.Name) && !errors.ContainsKey(p.Name)))
        {
            errors[property.Name] = ["The field is required."];
        }

        return errors;
    }

    private static Dictionary<string, string[]> Error(string field, string message) =>
        new(StringComparer.Ordinal) { [field] = [message] };

    private static string? ReadableName(JsonProperty member)
    {
        try
        {
            return member.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Why <paramref name="value"/> does not fit <paramref name="property"/>, or null when it does.</summary>
    private static string? TypeError(JsonElement value, JsonPropertyInfo property)
    {
        var type = property.PropertyType;
        if (value.ValueKind == JsonValueKind.Null)
        {
            // A non-nullable value type cannot take null: the serializer would throw.
            return type.IsValueType && Nullable.GetUnderlyingType(type) is null ? ValueTypeError(value, type) : null;
        }

        if (type == typeof(string))
        {
            return value.ValueKind != JsonValueKind.String ? "Must be a string." : IsUnicode(value) ? null : "Must be valid Unicode text.";
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return ValueTypeError(value, underlying);
        }

        if (type.IsValueType)
        {
            return ValueTypeError(value, type);
        }

        if (typeof(IEnumerable<string>).IsAssignableFrom(type))
        {
            if (value.ValueKind != JsonValueKind.Array
                || !value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String && IsUnicode(e)))
            {
                return "Must be an array of strings.";
            }

            return TooManyItems(value, property);
        }

        if (typeof(IEnumerable<JsonElement>).IsAssignableFrom(type))
        {
            return value.ValueKind != JsonValueKind.Array ? "Must be an array." : TooManyItems(value, property);
        }

        throw new InvalidOperationException($"Strict bodies support string, boolean, whole number, timestamp, string-array and JsonElement-array members only; not {type.Name}.");
    }

    /// <summary>Why the non-null-typed <paramref name="value"/> (possibly JSON null) does not fit the value type <paramref name="type"/>.</summary>
    private static string? ValueTypeError(JsonElement value, Type type)
    {
        if (type == typeof(bool))
        {
            return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "Must be true or false.";
        }

        if (type == typeof(long))
        {
            return IsInteger(value) && value.TryGetInt64(out _) ? null : WholeNumberMessage;
        }

        if (type == typeof(int))
        {
            return !IsInteger(value) ? WholeNumberMessage : value.TryGetInt32(out _) ? null : Int32RangeMessage;
        }

        if (type == typeof(DateTimeOffset))
        {
            return IsTimestamp(value) ? null : TimestampMessage;
        }

        throw new InvalidOperationException($"Strict bodies support bool, long, int and DateTimeOffset value members only; not {type.Name}.");
    }

    /// <summary>A JSON number written without fraction or exponent (its magnitude is checked by the caller).</summary>
    private static bool IsInteger(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') < 0;

    /// <summary>
    /// An RFC 3339 date-time with a <c>T</c>, seconds, an optional fraction and an explicit offset or <c>Z</c>, which the
    /// serializer reads to the same instant (it also refuses impossible dates, offsets beyond 14 hours and leap seconds).
    /// </summary>
    private static bool IsTimestamp(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
        && IsUnicode(value)
        && Rfc3339().IsMatch(value.GetString()!)
        && value.TryGetDateTimeOffset(out _);

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Rfc3339();

    private static string? TooManyItems(JsonElement array, JsonPropertyInfo property) =>
        property.AttributeProvider?.GetCustomAttributes(typeof(MaxItemsAttribute), inherit: true) is [MaxItemsAttribute max, ..]
        && array.GetArrayLength() > max.Count
            ? string.Create(CultureInfo.InvariantCulture, $"At most {max.Count} items.")
            : null;

    /// <summary>False for invalid UTF-8 or an escaped lone surrogate, which cannot become a .NET string.</summary>
    private static bool IsUnicode(JsonElement value)
    {
        try
        {
            _ = StrictUtf8.GetByteCount(value.GetString()!);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static StrictJsonBodyResult<T> TooLarge<T>(int maxBytes)
        where T : class =>
        StrictJsonBodyResult<T>.Failed(Problems.Of(StatusCodes.Status413PayloadTooLarge, "Body too large", string.Create(CultureInfo.InvariantCulture, $"The body must be at most {maxBytes} bytes."), "payload_too_large"));
}
