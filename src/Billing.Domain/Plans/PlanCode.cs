using System.Text.RegularExpressions;

namespace Billing.Domain.Plans;

/// <summary>
/// A plan's code in the catalog (<c>FREE</c>, <c>TRIAL</c>, <c>BASIC</c>, <c>PRO</c>, <c>ENTERPRISE</c>): an upper-case
/// letter followed by up to 31 upper-case letters, digits or underscores. Parsing upper-cases, so <c>pro</c> is <c>PRO</c>.
/// </summary>
public readonly partial record struct PlanCode
{
    private readonly string? _value;

    private PlanCode(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("A PlanCode was used without being parsed (default value).");

    public static PlanCode Parse(string? value) =>
        TryParse(value, out var code) ? code : throw new ArgumentException(InvalidMessage(value), nameof(value));

    public static bool TryParse(string? value, out PlanCode code)
    {
        code = default;
        if (value is null)
        {
            return false;
        }

        var upper = value.ToUpperInvariant();
        if (!Shape().IsMatch(upper))
        {
            return false;
        }

        code = new PlanCode(upper);
        return true;
    }

    public static string InvalidMessage(string? value) =>
        $"'{value}' is not a plan code: use a letter followed by up to 31 letters, digits or '_' (e.g. 'PRO').";

    public override string ToString() => _value ?? string.Empty;

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,31}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
