using System.Globalization;

namespace Billing.Domain.Pricing;

/// <summary>
/// A three-letter ISO 4217 currency code in lower case, as Stripe writes it (<c>usd</c>, <c>eur</c>). Amounts of it are
/// in Stripe's minor units (the table of <c>src/Billing.Web/assets/money.js</c>: two decimals unless Stripe lists the
/// currency as zero- or three-decimal), of which Stripe charges only whole steps: see <see cref="MinorUnitStep"/>.
/// </summary>
public readonly record struct Currency
{
    private readonly string? _code;

    private Currency(string code) => _code = code;

    public string Code => _code ?? throw new InvalidOperationException("A Currency was used without being parsed (default value).");

    /// <summary>True for <c>default(Currency)</c>, which is not a currency.</summary>
    public bool IsDefault => _code is null;

    /// <summary>
    /// The minor units Stripe charges this currency in steps of (https://docs.stripe.com/currencies#special-cases):
    /// 100 for <c>isk</c> and <c>ugx</c> (whole units written with two decimals, 500 is 5 ISK), 10 for the
    /// three-decimal currencies (<c>bhd</c>, <c>jod</c>, <c>kwd</c>, <c>omr</c>, <c>tnd</c>: the last digit must be 0),
    /// 1 for every other (<c>huf</c> and <c>twd</c> too: their whole units are a payout rule, not a charge rule).
    /// </summary>
    public long MinorUnitStep => Code switch
    {
        "isk" or "ugx" => 100,
        "bhd" or "jod" or "kwd" or "omr" or "tnd" => 10,
        _ => 1,
    };

    /// <summary>Whether Stripe charges <paramref name="minorUnits"/> of this currency as it is (a whole number of <see cref="MinorUnitStep"/>s).</summary>
    public bool IsWhole(long minorUnits) => minorUnits % MinorUnitStep == 0;

    /// <summary>Why <paramref name="minorUnits"/> is not <see cref="IsWhole"/>, for a message naming the setting or field.</summary>
    public string NotWholeMessage(long minorUnits) => string.Create(
        CultureInfo.InvariantCulture,
        $"{minorUnits} is not an amount of {Code} Stripe can charge: it must be a multiple of {MinorUnitStep} ({StepReason}).");

    public static Currency Parse(string? code) =>
        TryParse(code, out var currency) ? currency : throw new ArgumentException(InvalidMessage(code), nameof(code));

    public static bool TryParse(string? code, out Currency currency)
    {
        currency = default;
        if (code is not { Length: 3 } || !code.All(char.IsAsciiLetterLower))
        {
            return false;
        }

        currency = new Currency(code);
        return true;
    }

    public static string InvalidMessage(string? code) =>
        $"'{(code is { Length: > 16 } ? WholeCharacters.Prefix(code, 16) + "..." : code)}' is not a currency: use a three-letter lower-case ISO code as Stripe does, e.g. 'usd' or 'eur'.";

    public override string ToString() => _code ?? string.Empty;

    private string StepReason => MinorUnitStep == 100
        ? $"Stripe writes {Code} with two decimals but charges whole units only: 500 is 5 {Code}"
        : $"Stripe writes {Code} with three decimals but charges the last one 0 only: 5120 is 5.120 {Code}";
}
