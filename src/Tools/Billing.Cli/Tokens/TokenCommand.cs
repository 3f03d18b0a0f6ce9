using System.CommandLine;
using Billing.Cli.Accounts;
using Billing.FunctionApp.Http;

namespace Billing.Cli.Tokens;

/// <summary>
/// <c>billing token (--account ID [--admin] | --scope SCOPE) [--minutes N]</c>: prints a bearer token the local function
/// app accepts. <c>--account</c> makes a user's (or with <c>--admin</c> an admin's) token; <c>--scope</c> (repeatable) a
/// service token carrying those scopes, named by <c>azp</c> = <see cref="ServiceClientId"/>, without an account claim
/// unless <c>--account</c> is given too. Such a token is app-only (its client is the development service client), so
/// user and admin endpoints refuse it even with an account. The claims and the admin role are the settings' (<see cref="DevelopmentAuthSettings"/>).
/// </summary>
public static class TokenCommand
{
    /// <summary>The <c>azp</c> of a service token, the name the app logs for it.</summary>
    public const string ServiceClientId = "billing-cli";

    public const int DefaultMinutes = 60;

    /// <summary>Seven days: a development token that outlives a week is a mistake, not a need.</summary>
    public const int MaxMinutes = 7 * 24 * 60;

    public static Command Create()
    {
        var account = AccountOption.Create("The billing account id the token names (its account claim); the server's rule: 1..128 characters, no / \\ ? # %, no control characters or bidirectional overrides, no leading/trailing white space, not . or ..", required: false);
        var admin = new Option<bool>("--admin") { Description = $"Grant the admin role: Auth:AdminRole in the claim Auth:RoleClaim of the settings (default {AuthDefaults.AdminRole} in {AuthDefaults.RoleClaim})." };
        var scope = ScopeOption();
        var minutes = BoundedIntOption.Create("--minutes", "Lifetime in minutes", DefaultMinutes, 1, MaxMinutes, "7 days");
        var settings = SettingsOption.Create($"The function app settings file to read Auth from (default: {DevelopmentAuthSettings.RelativePath} above the current folder, with the Auth__ values of the {DevelopmentAuthSettings.LocalSettingsFileName} beside it and the exported Auth__ variables over them).");
        var command = new Command("token", "Mint a local development token for the function app: a user's (--account) or a service's (--scope).") { account, admin, scope, minutes, settings };
        command.Validators.Add(result =>
        {
            if (result.GetResult(account) is null && result.GetResult(scope) is null)
            {
                result.AddError($"Say whom the token is for: {AccountOption.Name} ID (a user) or --scope SCOPE (a service, e.g. --scope billing.usage).");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!DevelopmentAuthSettings.TryLoad(result.GetValue(settings), Environment.CurrentDirectory, out var auth, out var error))
            {
                await BillingCli.WriteErrorAsync(result, error).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var scopes = result.GetValue(scope) ?? [];
            var token = DevelopmentTokenFactory.Create(auth.TokenRequest(result.GetValue(account), result.GetValue(admin)) with
            {
                Scopes = scopes,
                AuthorizedParty = scopes.Length > 0 ? ServiceClientId : null,
                Lifetime = TimeSpan.FromMinutes(result.GetValue(minutes)),
            });
            await result.InvocationConfiguration.Output.WriteLineAsync(token.AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>--scope SCOPE</c>, repeatable; each one scope name (no white space), as the server compares them.</summary>
    private static Option<string[]> ScopeOption()
    {
        var option = new Option<string[]>("--scope") { Description = "A scope for a service token, e.g. billing.usage (repeatable): an app-only token, which user and admin endpoints refuse; without --account it names no account." };
        option.Validators.Add(result =>
        {
            foreach (var value in result.Tokens.Select(t => t.Value))
            {
                if (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    result.AddError($"--scope '{value}' must be one scope name without spaces (repeat --scope for several).");
                }
            }
        });
        return option;
    }
}
