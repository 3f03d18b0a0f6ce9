namespace Billing.FunctionApp.Http;

/// <summary>
/// The claims <c>AuthOptions</c> reads when the settings leave them out. The CLI compiles this file too
/// (Billing.Cli.csproj), so the development tokens it mints carry what the app reads.
/// </summary>
internal static class AuthDefaults
{
    public const string AccountClaim = "sub";

    public const string RoleClaim = "roles";

    public const string AdminRole = "billing.admin";
}
