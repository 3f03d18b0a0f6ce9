using System.CommandLine;
using Billing.Cli.Tokens;

namespace Billing.Cli.Admin;

/// <summary>
/// Where the admin API is and how to authenticate: <c>--url</c> (or BILLING_URL, default the local function app) and
/// <c>--token</c> (or BILLING_TOKEN); without a token, a local admin token is minted from the development settings.
/// </summary>
public sealed class AdminConnection
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public Option<string?> Url { get; } = new("--url")
    {
        Description = $"Base URL of the function app (default: $BILLING_URL or {DefaultUrl}).",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Bearer token with the admin role (default: $BILLING_TOKEN, else a local development token).",
        Recursive = true,
    };

    public Option<string?> Settings { get; } = new("--settings")
    {
        Description = $"Function app settings file to mint a development token from (default: {DevelopmentAuthSettings.RelativePath} above the current folder).",
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Url);
        command.Options.Add(Token);
        command.Options.Add(Settings);
    }

    /// <summary>The API client for this invocation, or null (with the reason on stderr) when no token can be had.</summary>
    public AdminApiClient? CreateClient(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var url = result.GetValue(Url) ?? Environment.GetEnvironmentVariable("BILLING_URL") ?? DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress) || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            Console.Error.WriteLine($"--url must be an absolute http(s) URL; got '{url}'.");
            return null;
        }

        var token = result.GetValue(Token) ?? Environment.GetEnvironmentVariable("BILLING_TOKEN") ?? MintLocalToken(result.GetValue(Settings));
        if (token is null)
        {
            Console.Error.WriteLine("No token: pass --token (or set BILLING_TOKEN), or run from the repository so a local development token can be minted.");
            return null;
        }

        return new AdminApiClient(baseAddress, token);
    }

    private static string? MintLocalToken(string? settingsPath)
    {
        var auth = settingsPath is null ? DevelopmentAuthSettings.FindFrom(Environment.CurrentDirectory) : DevelopmentAuthSettings.Read(settingsPath);
        return auth is null
            ? null
            : DevelopmentTokenFactory.Create(new DevelopmentTokenFactory.Request
            {
                Issuer = auth.Issuer,
                Audience = auth.Audience,
                SigningKey = auth.SigningKey,
                AccountClaim = auth.AccountClaim,
                AccountId = "billing-cli",
                Roles = ["billing.admin"],
                Lifetime = TimeSpan.FromMinutes(10),
            });
    }
}
