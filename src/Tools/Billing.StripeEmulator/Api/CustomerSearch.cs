using System.Globalization;
using System.Text.RegularExpressions;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;

namespace Billing.StripeEmulator.Api;

/// <summary>
/// The part of Stripe's Search Query Language customers need: `field:'value'` (exact, case-insensitive),
/// `field~'value'` (substring, 3+ characters), `-` to negate, `created>123` (and &lt;, &gt;=, &lt;=), on
/// email, name, phone, description, metadata['key'] and created; clauses joined by AND or by OR (not both).
/// </summary>
internal static partial class CustomerSearch
{
    public static Func<CustomerRecord, bool> Parse(string query)
    {
        var clauses = Split(query, out var joiner);
        if (clauses.Count > 10)
        {
            throw Invalid("a query can have at most 10 clauses");
        }

        var tests = clauses.Select(ParseClause).ToList();
        return joiner == "OR"
            ? customer => tests.Any(test => test(customer))
            : customer => tests.All(test => test(customer));
    }

    private static Func<CustomerRecord, bool> ParseClause(string clause)
    {
        var match = ClauseRegex().Match(clause);
        if (!match.Success)
        {
            throw Invalid($"'{clause}' is not a valid clause (expected e.g. email:'jane@example.com' or metadata['key']:'value')");
        }

        var negate = match.Groups["neg"].Success;
        var field = match.Groups["field"].Value;
        var metadataKey = match.Groups["mkey"].Success ? match.Groups["mkey"].Value : null;
        var op = match.Groups["op"].Value;
        var value = match.Groups["qval"].Success ? Unescape(match.Groups["qval"].Value) : match.Groups["num"].Value;

        Func<CustomerRecord, bool> test;
        if (field == "created")
        {
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw Invalid("created must be compared with a unix timestamp");
            }

            test = op switch
            {
                ":" => c => c.Created == number,
                ">" => c => c.Created > number,
                ">=" => c => c.Created >= number,
                "<" => c => c.Created < number,
                "<=" => c => c.Created <= number,
                _ => throw Invalid($"operator {op} is not supported for created"),
            };
        }
        else
        {
            Func<CustomerRecord, string?> read = field switch
            {
                "email" => c => c.Email,
                "name" => c => c.Name,
                "phone" => c => c.Phone,
                "description" => c => c.Description,
                "metadata" when metadataKey is not null => c => c.Metadata.GetValueOrDefault(metadataKey),
                _ => throw Invalid($"the field '{field}' is not supported for customers (email, name, phone, description, metadata['key'], created)"),
            };
            test = op switch
            {
                ":" => c => string.Equals(read(c), value, StringComparison.OrdinalIgnoreCase),
                "~" when value.Length >= 3 => c => read(c)?.Contains(value, StringComparison.OrdinalIgnoreCase) == true,
                "~" => throw Invalid("substring matches (~) need at least 3 characters"),
                _ => throw Invalid($"operator {op} is only supported for numeric fields"),
            };
        }

        return negate ? c => !test(c) : test;
    }

    private static List<string> Split(string query, out string joiner)
    {
        var clauses = new List<string>();
        var joiners = new HashSet<string>(StringComparer.Ordinal);
        var current = new System.Text.StringBuilder();
        char? quote = null;
        var words = new List<string>();
        for (var i = 0; i < query.Length; i++)
        {
            var ch = query[i];
            if (quote is not null)
            {
                current.Append(ch);
                if (ch == '\\' && i + 1 < query.Length)
                {
                    current.Append(query[++i]); // an escaped character (\' or \\) never closes the quote
                }
                else if (ch == quote)
                {
                    quote = null;
                }

                continue;
            }

            if (ch is '\'' or '"')
            {
                quote = ch;
                current.Append(ch);
                continue;
            }

            if (char.IsWhiteSpace(ch))
            {
                if (current.Length > 0)
                {
                    words.Add(current.ToString());
                    current.Clear();
                }

                continue;
            }

            current.Append(ch);
        }

        if (quote is not null)
        {
            throw Invalid("a quoted value is not closed");
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        var clause = new System.Text.StringBuilder();
        foreach (var word in words)
        {
            if (word is "AND" or "OR")
            {
                if (clause.Length == 0)
                {
                    throw Invalid($"{word} needs a clause on each side");
                }

                joiners.Add(word);
                clauses.Add(clause.ToString());
                clause.Clear();
                continue;
            }

            clause.Append(word);
        }

        if (clause.Length == 0)
        {
            throw Invalid("the query is empty or ends with AND/OR");
        }

        clauses.Add(clause.ToString());
        if (joiners.Count > 1)
        {
            throw Invalid("AND and OR cannot be combined in one query");
        }

        joiner = joiners.FirstOrDefault() ?? "AND";
        return clauses;
    }

    /// <summary>A quoted value as written, with Stripe's backslash escapes (`\'`, `\"`, `\\`) read as the character they escape.</summary>
    private static string Unescape(string quoted) => EscapeRegex().Replace(quoted, "$1");

    private static StripeApiException Invalid(string reason) =>
        StripeApiException.ParameterInvalid("query", $"Invalid query: {reason}.");

    [GeneratedRegex(@"\\(.)", RegexOptions.Singleline)]
    private static partial Regex EscapeRegex();

    [GeneratedRegex("""^(?<neg>-)?(?<field>[a-z_]+)(\[(?<q>['"])(?<mkey>[^'"]+)\k<q>\])?(?<op>:|~|>=|<=|>|<)(?:(?<qq>['"])(?<qval>.*)\k<qq>|(?<num>\d+))$""")]
    private static partial Regex ClauseRegex();
}
