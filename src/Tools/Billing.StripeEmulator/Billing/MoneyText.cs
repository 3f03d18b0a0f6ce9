using System.Globalization;

namespace Billing.StripeEmulator.Billing;

/// <summary>
/// Amounts in minor units written the way Stripe's line descriptions write them ("$19.00"), shifted by Stripe's decimals
/// (https://docs.stripe.com/currencies): none for its zero-decimal currencies, three for its three-decimal ones, two for
/// every other, <c>isk</c> and <c>ugx</c> included (whole units written with "00": 500 is UGX 5.00), as in
/// <c>src/Billing.Web/assets/money.js</c>.
/// </summary>
internal static class MoneyText
{
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.Ordinal)
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "vnd", "vuv", "xaf", "xof", "xpf",
    };

    private static readonly HashSet<string> ThreeDecimal = new(StringComparer.Ordinal) { "bhd", "jod", "kwd", "omr", "tnd" };

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
        var number = ZeroDecimal.Contains(currency) ? magnitude.ToString(CultureInfo.InvariantCulture)
            : ThreeDecimal.Contains(currency) ? (magnitude / 1000m).ToString("0.000", CultureInfo.InvariantCulture)
            : (magnitude / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        return sign + symbol + number;
    }
}
