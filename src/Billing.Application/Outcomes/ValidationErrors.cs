using Billing.Domain;

namespace Billing.Application.Outcomes;

/// <summary>Field errors of a request, keyed by the request's (camelCase JSON) field name.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    /// <summary>The most of a caller's value a message repeats.</summary>
    public const int MaxQuotedLength = 64;

    public bool IsEmpty => _errors.Count == 0;

    /// <summary>A caller's value as a message repeats it: quoted, and cut to <see cref="MaxQuotedLength"/> characters (an answer never grows with the input).</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length <= MaxQuotedLength ? $"'{value}'" : $"'{WholeCharacters.Prefix(value, MaxQuotedLength)}...'";
    }

    public IReadOnlyCollection<string> Fields => _errors.Keys;

    public ValidationErrors Add(string field, string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(field);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        if (!_errors.TryGetValue(field, out var messages))
        {
            messages = [];
            _errors.Add(field, messages);
        }

        messages.Add(message);
        return this;
    }

    public IReadOnlyList<string> For(string field) => _errors.TryGetValue(field, out var messages) ? messages : [];

    /// <summary>The shape RFC 9457 validation problems carry in their <c>errors</c> member.</summary>
    public Dictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public override string ToString() =>
        string.Join("; ", _errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
}
