using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.FunctionApp.Functions.BillingApi.Http;

/// <summary>
/// Reads a small, flat JSON request body strictly: an object whose members are exactly the contract's camelCase
/// property names (unknown and duplicate members refused), each a string or null. Anything else is a 400 validation
/// problem naming the field; a non-JSON content type is 415, a body over <see cref="MaxBytes"/> is 413.
/// Requests can therefore never smuggle extra data (such as another account's id) past the contract.
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
        if (request.ContentLength > MaxBytes)
        {
            return StrictJsonBodyResult<T>.Failed(TooLarge());
        }

        var body = await ReadBytesAsync(request, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return StrictJsonBodyResult<T>.Failed(TooLarge());
        }

        if (body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return required
                ? StrictJsonBodyResult<T>.Invalid(Errors(BodyField, "A JSON object body is required."))
                : StrictJsonBodyResult<T>.Read(new T());
        }

        if (!request.HasJsonContentType())
        {
            return StrictJsonBodyResult<T>.Failed(TypedResults.Problem(
                detail: "Send the body as application/json.",
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type"));
        }

        var errors = Check(body, (JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T)));
        if (errors.Count > 0)
        {
            return StrictJsonBodyResult<T>.Invalid(errors);
        }

        return StrictJsonBodyResult<T>.Read(JsonSerializer.Deserialize(body, (JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T)))!);
    }

    private static Dictionary<string, string[]> Check<T>(byte[] body, JsonTypeInfo<T> contract)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            return Errors(BodyField, "The body is not valid JSON.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Errors(BodyField, "The body must be a JSON object.");
            }

            var known = contract.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                var field = member.Name;
                if (!known.TryGetValue(field, out var property))
                {
                    errors[Truncate(field)] = [$"Unknown field. Accepted: {string.Join(", ", known.Keys)}."];
                }
                else if (!seen.Add(field))
                {
                    errors[field] = ["The field appears more than once."];
                }
                else if (property.PropertyType != typeof(string))
                {
                    throw new InvalidOperationException($"{typeof(T).Name}.{property.Name}: strict bodies support string members only.");
                }
                else if (member.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    errors[field] = ["Must be a string."];
                }
            }

            return errors;
        }
    }

    private static async Task<byte[]?> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ProblemHttpResult TooLarge() => TypedResults.Problem(
        detail: $"The body must be at most {MaxBytes} bytes.",
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Body too large");

    private static Dictionary<string, string[]> Errors(string field, string message) =>
        new(StringComparer.Ordinal) { [field] = [message] };

    private static string Truncate(string field) => field.Length <= 64 ? field : field[..64];
}
