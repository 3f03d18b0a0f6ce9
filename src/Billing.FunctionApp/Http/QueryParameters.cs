using System.Globalization;

namespace Billing.FunctionApp.Http;

/// <summary>
/// The one reader of a request's query parameters. Each is given at most once: a repeated one is a 400 naming it, never
/// joined with a comma nor cut to its first value (either would act on something the caller did not name, e.g.
/// <c>?accountId=a&amp;accountId=b</c> on the account <c>a,b</c>). Given empty is the same as absent; a whole number is
/// digits only. Read every parameter, then answer <see cref="Problem"/> when there is one: it names each bad parameter.
/// </summary>
internal sealed class QueryParameters(HttpRequest request)
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    /// <summary>The 400 naming every parameter refused so far, or null.</summary>
    public IResult? Problem => _errors.Count == 0 ? null : Problems.Invalid(_errors);

    /// <summary>The parameter's value, or null when it is absent or empty (or repeated, which is refused).</summary>
    public string? Text(string name)
    {
        if (!request.Query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            Refuse(name, $"Give {name} once (it was given {values.Count} times).");
            return null;
        }

        return string.IsNullOrEmpty(values[0]) ? null : values[0];
    }

    /// <summary>The parameter as a whole number from <paramref name="min"/> to <paramref name="max"/>, or null when absent; otherwise refused with <paramref name="rule"/>.</summary>
    public int? WholeNumber(string name, string rule, int min = 0, int max = int.MaxValue)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Refuse(name, rule);
        return null;
    }

    /// <summary>Refuses <paramref name="name"/> for a rule only its caller knows (e.g. a name that must be one of a set).</summary>
    public void Refuse(string name, string message) => _errors[name] = [message];
}
