using System.Globalization;
using Billing.FunctionApp.Http;

namespace Billing.FunctionApp.Admin;

/// <summary>The query parameters of the admin listings: text filters and the page size.</summary>
internal static class AdminQuery
{
    /// <summary>The parameter's value (the first when repeated), or null when absent or empty.</summary>
    public static string? Text(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) && values is [{ Length: > 0 } value, ..] ? value : null;

    /// <summary>The <c>limit</c> as a number (range checked by the use case), or a 400 when it is not a whole number.</summary>
    public static bool TryLimit(HttpRequest request, out int? limit, out IResult? problem)
    {
        limit = null;
        problem = null;
        if (Text(request, "limit") is not { } text)
        {
            return true;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            problem = Problems.Invalid("limit", "Must be a whole number from 1 to 100.");
            return false;
        }

        limit = value;
        return true;
    }
}
