using System.CommandLine;

namespace Billing.Cli.Tokens;

/// <summary><c>billing token --account ID [--admin]</c>: prints a bearer token the local function app accepts.</summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var account = new Option<string>("--account") { Description = "The billing account id the token names (its account claim).", Required = true };
        var admin = new Option<bool>("--admin") { Description = "Grant the admin role." };
        var lifetime = new Option<int>("--minutes") { Description = "Lifetime in minutes.", DefaultValueFactory = _ => 60 };
        var settings = new Option<string?>("--settings") { Description = $"The function app settings file to read Auth from (default: {DevelopmentAuthSettings.RelativePath} above the current folder)." };
        var command = new Command("token", "Mint a local development token for the function app.") { account, admin, lifetime, settings };
        command.SetAction(result =>
        {
            var path = result.GetValue(settings);
            var auth = path is null ? DevelopmentAuthSettings.FindFrom(Environment.CurrentDirectory) : DevelopmentAuthSettings.Read(path);
            if (auth is null)
            {
                Console.Error.WriteLine("No development Auth settings found (Auth:Issuer, Auth:Audience, Auth:DevelopmentSigningKey). Run from the repository or pass --settings.");
                return 2;
            }

            Console.WriteLine(DevelopmentTokenFactory.Create(new DevelopmentTokenFactory.Request
            {
                Issuer = auth.Issuer,
                Audience = auth.Audience,
                SigningKey = auth.SigningKey,
                AccountClaim = auth.AccountClaim,
                AccountId = result.GetValue(account)!,
                Roles = result.GetValue(admin) ? ["billing.admin"] : [],
                Lifetime = TimeSpan.FromMinutes(result.GetValue(lifetime)),
            }));
            return 0;
        });
        return command;
    }
}
