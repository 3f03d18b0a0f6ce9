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

    public Option<string?> Settings { get; } = SettingsOption.Create(
        $"Function app settings file to mint a development token from (default: {DevelopmentAuthSettings.RelativePath} above the current folder, with the Auth__ values of the {DevelopmentAuthSettings.LocalSettingsFileName} beside it and the exported Auth__ variables over them).",
        recursive: true);

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Url);
        command.Options.Add(Token);
        command.Options.Add(Settings);
    }

    /// <summary>The API client for this invocation, or null with the reason (a usage error) when the URL is unusable or no token can be had.</summary>
    public AdminApiClient? CreateClient(ParseResult result, out string? error)
    {
        ArgumentNullException.ThrowIfNull(result);
        var url = result.GetValue(Url) ?? Environment.GetEnvironmentVariable("BILLING_URL") ?? DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress) || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            error = $"--url (or BILLING_URL) must be an absolute http(s) URL; got '{url}'.";
            return null;
        }

        if (baseAddress.Scheme == Uri.UriSchemeHttp && !baseAddress.IsLoopback)
        {
            // The admin token would cross the network in clear (a deployed app only answers https, with a redirect
            // that drops the token: after it was sent).
            error = $"--url (or BILLING_URL) must be https for a host other than this machine; got '{url}'.";
            return null;
        }

        var token = result.GetValue(Token) ?? Environment.GetEnvironmentVariable("BILLING_TOKEN");
        if (string.IsNullOrWhiteSpace(token))
        {
            if (!DevelopmentAuthSettings.TryLoad(result.GetValue(Settings), Environment.CurrentDirectory, out var auth, out var settingsError))
            {
                error = $"No token: pass --token (or set BILLING_TOKEN), or let a development token be minted. {settingsError}";
                return null;
            }

            token = MintLocalToken(auth);
        }

        token = token.Trim();
        if (!token.All(c => c is > ' ' and <= '~'))
        {
            // HttpClient would refuse to send it (non-ASCII, a line break), which read as "could not reach" or "may have
            // been applied"; with a space inside ("Bearer ey...") the app answers 401. The message never repeats the token.
            error = "--token (or BILLING_TOKEN) has a character a bearer token cannot carry (white space, a control or non-ASCII character): give the token alone, exactly as issued, without 'Bearer '.";
            return null;
        }

        error = null;
        return new AdminApiClient(baseAddress, token);
    }

    private static string MintLocalToken(DevelopmentAuthSettings auth) =>
        DevelopmentTokenFactory.Create(auth.TokenRequest("billing-cli", admin: true) with
        {
            Lifetime = TimeSpan.FromHours(25), // outlives the longest follow of a run (--timeout, at most 24 h); development keys only
        });
}
