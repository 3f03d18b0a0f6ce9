namespace Billing.Domain.Pricing;

/// <summary>A three-letter ISO 4217 currency code in lower case, as Stripe writes it (<c>usd</c>, <c>eur</c>).</summary>
public readonly record struct Currency
{
    private readonly string? _code;

    private Currency(string code) => _code = code;

    public string Code => _code ?? throw new InvalidOperationException("A Currency was used without being parsed (default value).");

    /// <summary>True for <c>default(Currency)</c>, which is not a currency.</summary>
    public bool IsDefault => _code is null;

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
        $"'{(code is { Length: > 16 } ? code[..16] + "..." : code)}' is not a currency: use a three-letter lower-case ISO code as Stripe does, e.g. 'usd' or 'eur'.";

    public override string ToString() => _code ?? string.Empty;
}
