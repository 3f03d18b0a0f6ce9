using Billing.Cli.Tokens;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Support;

/// <summary>User tokens the function app accepts in Development (its development signing key), as `billing token` mints them.</summary>
internal static class DevelopmentTokens
{
    private static readonly Lazy<DevelopmentAuthSettings> Auth = new(() =>
        DevelopmentAuthSettings.FindFrom(RepoPaths.RepoRoot) ?? throw new InvalidOperationException($"No {DevelopmentAuthSettings.RelativePath} under {RepoPaths.RepoRoot}."));

    /// <summary>A token for <paramref name="accountId"/>; <paramref name="admin"/>: with the admin role.</summary>
    public static string For(string accountId, bool admin = false) =>
        DevelopmentTokenFactory.Create(Auth.Value.TokenRequest(accountId, admin));
}
