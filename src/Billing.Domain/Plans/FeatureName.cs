using System.Text.RegularExpressions;

namespace Billing.Domain.Plans;

/// <summary>
/// The name of a feature flag from configuration (<c>sso</c>, <c>priority_support</c>): a lower-case letter followed
/// by up to 63 lower-case letters, digits or underscores, the same shape as a <see cref="Metering.MeterName"/>.
/// </summary>
public readonly partial record struct FeatureName
{
    private readonly string? _value;

    private FeatureName(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("A FeatureName was used without being parsed (default value).");

    public static FeatureName Parse(string? value) =>
        TryParse(value, out var feature) ? feature : throw new ArgumentException(InvalidMessage(value), nameof(value));

    public static bool TryParse(string? value, out FeatureName feature)
    {
        feature = default;
        if (value is null || !Shape().IsMatch(value))
        {
            return false;
        }

        feature = new FeatureName(value);
        return true;
    }

    public static string InvalidMessage(string? value) =>
        $"'{value}' is not a feature name: use a lower-case letter followed by up to 63 lower-case letters, digits or '_' (e.g. 'priority_support').";

    public override string ToString() => _value ?? string.Empty;

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
