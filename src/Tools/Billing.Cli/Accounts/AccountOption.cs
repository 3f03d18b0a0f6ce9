using System.CommandLine;
using Billing.Domain.Accounts;

namespace Billing.Cli.Accounts;

/// <summary><c>--account ID</c> (or an account id argument), required unless said otherwise and checked with the server's own rule (<see cref="AccountId.TryParse"/>) while parsing.</summary>
public static class AccountOption
{
    public const string Name = "--account";

    public static Option<string> Create(string description, bool required = true)
    {
        var option = new Option<string>(Name) { Description = description, Required = required };
        option.Validators.Add(result => Check(Name, result.Tokens.Count == 0 ? null : result.GetValueOrDefault<string>(), result.AddError));
        return option;
    }

    /// <summary>An account id given as an argument (<c>billing admin account ID</c>), checked by the same rule while parsing.</summary>
    public static Argument<string> CreateArgument(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(result => Check(name, result.Tokens.Count == 0 ? null : result.Tokens[^1].Value, result.AddError));
        return argument;
    }

    private static void Check(string label, string? value, Action<string> addError)
    {
        if (value is not null && !AccountId.TryParse(value, out _, out var error))
        {
            addError($"{label} '{value}' is not a valid account id: {error}");
        }
    }
}
