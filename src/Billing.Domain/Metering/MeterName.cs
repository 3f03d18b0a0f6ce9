using System.Text.RegularExpressions;

namespace Billing.Domain.Metering;

/// <summary>
/// The name of a usage meter from configuration (<c>agent_runs</c>, <c>tokens</c>, <c>api_calls</c>): a lower-case
/// letter followed by up to 63 lower-case letters, digits or underscores. The shape is safe as a JSON property
/// name, a Cosmos DB patch path segment and a property in a SQL filter predicate.
/// </summary>
public readonly partial record struct MeterName
{
    private readonly string? _value;

    private MeterName(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("A MeterName was used without being parsed (default value).");

    public static MeterName Parse(string? value) =>
        TryParse(value, out var meter) ? meter : throw new ArgumentException(InvalidMessage(value), nameof(value));

    public static bool TryParse(string? value, out MeterName meter)
    {
        meter = default;
        if (value is null || !Shape().IsMatch(value))
        {
            return false;
        }

        meter = new MeterName(value);
        return true;
    }

    public static string InvalidMessage(string? value) =>
        $"'{value}' is not a meter name: use a lower-case letter followed by up to 63 lower-case letters, digits or '_' (e.g. 'agent_runs').";

    public override string ToString() => _value ?? string.Empty;

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
