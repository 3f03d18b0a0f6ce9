using System.CommandLine;
using System.Globalization;

namespace Billing.Cli;

/// <summary>An integer option whose value must lie in a range; anything else (not a number, out of range) is a parse error, so a usage error.</summary>
public static class BoundedIntOption
{
    public static Option<int> Create(string name, string description, int defaultValue, int min, int max, string? rangeNote = null)
    {
        var range = $"between {min} and {max}{(rangeNote is null ? string.Empty : $" ({rangeNote})")}";
        return new Option<int>(name)
        {
            Description = $"{description} ({min}..{max}).",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                if (result.Tokens.Count == 0)
                {
                    return defaultValue;
                }

                var text = result.Tokens[^1].Value;
                if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
                {
                    return value;
                }

                result.AddError($"{name} must be a whole number {range}; got '{text}'.");
                return defaultValue;
            },
        };
    }
}
