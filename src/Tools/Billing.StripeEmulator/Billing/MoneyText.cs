using System.Globalization;

namespace Billing.StripeEmulator.Billing;

/// <summary>Amounts in minor units written the way Stripe's line descriptions write them ("$19.00").</summary>
internal static class MoneyText
{
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.Ordinal)
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    };

    public static bool IsZeroDecimal(string currency) => ZeroDecimal.Contains(currency);

    public static string Format(long amount, string currency)
    {
        var symbol = currency switch
        {
            "usd" => "$",
            "eur" => "€",
            "gbp" => "£",
            _ => currency.ToUpperInvariant() + " ",
        };
        var sign = amount < 0 ? "-" : string.Empty;
        var magnitude = Math.Abs(amount);
        var number = IsZeroDecimal(currency)
            ? magnitude.ToString(CultureInfo.InvariantCulture)
            : (magnitude / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        return sign + symbol + number;
    }
}
