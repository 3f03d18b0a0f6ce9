using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Net.Http.Headers;

namespace Billing.FunctionApp.Http;

/// <summary>
/// Reads a small JSON request body strictly: an object whose members are exactly the contract's camelCase property
/// names (unknown and duplicate members refused), each of the contract's type (string, boolean or array of strings,
/// or null). Anything else is a 400 naming the field, including text that is not valid Unicode (invalid UTF-8, lone
/// surrogate escapes); a content type other than JSON, a charset other than UTF-8 or any <c>Content-Encoding</c> is
/// 415; a body over <see cref="MaxBytes"/> is 413. A request can therefore never smuggle extra data (such as another
/// account's id) past the contract, and no body shape can make a function fail.
/// </summary>
internal static class StrictJsonBody
{
    public const int MaxBytes = 16 * 1024;

    /// <summary>The key of errors about the body as a whole.</summary>
    public const string BodyField = "$";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = false,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <param name="required">False: an empty body reads as an empty object.</param>
    public static async Task<StrictJsonBodyResult<T>> ReadAsync<T>(HttpRequest request, bool required, CancellationToken cancellationToken)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await LimitedBody.ReadAsync(request, MaxBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return TooLarge<T>();
        }

        if (body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return required
                ? StrictJsonBodyResult<T>.Failed(Problems.Invalid(BodyField, "A JSON object body is required."))
                : StrictJsonBodyResult<T>.Read(new T());
        }

        if (UnsupportedMediaType(request) is { } mediaTypeProblem)
        {
            return StrictJsonBodyResult<T>.Failed(Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", mediaTypeProblem, "unsupported_media_type"));
        }

        var contract = (JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T));
        var errors = Check(body, contract);
        return errors.Count > 0
            ? StrictJsonBodyResult<T>.Failed(Problems.Invalid(errors))
            : StrictJsonBodyResult<T>.Read(JsonSerializer.Deserialize(body, contract)!);
    }

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

        return mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            ? "Send the body as UTF-8 (charset=utf-8 or no charset)."
            : null;
    }

    private static Dictionary<string, string[]> Check<T>(byte[] body, JsonTypeInfo<T> contract)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            errors[BodyField] = ["The body is not valid JSON."];
            return errors;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors[BodyField] = ["The body must be a JSON object."];
                return errors;
            }

            var known = contract.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                var field = ReadableName(member);
                if (field is null)
                {
                    errors[BodyField] = ["A member name is not valid Unicode text."];
                }
                else if (!known.TryGetValue(field, out var property))
                {
                    errors[field.Length <= 64 ? field : field[..64]] = [$"Unknown field. Accepted: {string.Join(", ", known.Keys)}."];
                }
                else if (!seen.Add(field))
                {
                    errors[field] = ["The field appears more than once."];
                }
                else if (TypeError(member.Value, property.PropertyType) is { } message)
                {
                    errors[field] = [message];
                }
            }
        }

        return errors;
    }

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

    /// <summary>Why <paramref name="value"/> does not fit <paramref name="type"/>, or null when it does.</summary>
    private static string? TypeError(JsonElement value, Type type)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (type == typeof(string))
        {
            return value.ValueKind != JsonValueKind.String ? "Must be a string." : IsUnicode(value) ? null : "Must be valid Unicode text.";
        }

        if (type == typeof(bool) || type == typeof(bool?))
        {
            return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "Must be true or false.";
        }

        if (typeof(IEnumerable<string>).IsAssignableFrom(type))
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                return "Must be an array of strings.";
            }

            return value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String && IsUnicode(e)) ? null : "Must be an array of strings.";
        }

        throw new InvalidOperationException($"Strict bodies support string, boolean and string-array members only; not {type.Name}.");
    }

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


    private static StrictJsonBodyResult<T> TooLarge<T>()
        where T : class =>
        StrictJsonBodyResult<T>.Failed(Problems.Of(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body must be at most {MaxBytes} bytes.", "payload_too_large"));
}
