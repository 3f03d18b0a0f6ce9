using System.CommandLine;
using Billing.Cli.Accounts;

namespace Billing.Cli.Tokens;

/// <summary><c>billing token --account ID [--admin] [--minutes N]</c>: prints a bearer token the local function app accepts.</summary>
public static class TokenCommand
{
    public const string AdminRole = "billing.admin";

    public const int DefaultMinutes = 60;

    /// <summary>Seven days: a development token that outlives a week is a mistake, not a need.</summary>
    public const int MaxMinutes = 7 * 24 * 60;

    public static Command Create()
    {
        var account = AccountOption.Create("The billing account id the token names (its account claim); the server's rule: 1..128 characters, no / \\ ? #, no control characters, no leading/trailing white space.");
        var admin = new Option<bool>("--admin") { Description = $"Grant the admin role ({AdminRole})." };
        var minutes = BoundedIntOption.Create("--minutes", "Lifetime in minutes", DefaultMinutes, 1, MaxMinutes, "7 days");
        var settings = SettingsOption.Create($"The function app settings file to read Auth from (default: {DevelopmentAuthSettings.RelativePath} above the current folder).");
        var command = new Command("token", "Mint a local development token for the function app.") { account, admin, minutes, settings };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!DevelopmentAuthSettings.TryLoad(result.GetValue(settings), Environment.CurrentDirectory, out var auth, out var error))
            {
                await BillingCli.WriteErrorAsync(result, error).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var token = DevelopmentTokenFactory.Create(new DevelopmentTokenFactory.Request
            {
                Issuer = auth.Issuer,
                Audience = auth.Audience,
                SigningKey = auth.SigningKey,
                AccountClaim = auth.AccountClaim,
                AccountId = result.GetRequiredValue(account),
                Roles = result.GetValue(admin) ? [AdminRole] : [],
                Lifetime = TimeSpan.FromMinutes(result.GetValue(minutes)),
            });
            await result.InvocationConfiguration.Output.WriteLineAsync(token.AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
