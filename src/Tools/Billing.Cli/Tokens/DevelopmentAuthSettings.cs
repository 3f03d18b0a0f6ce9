using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.FunctionApp.Http;

namespace Billing.Cli.Tokens;

/// <summary>
/// The function app's development Auth settings (issuer, audience, key; the account claim, role claim and admin role with
/// the app's defaults), read from its appsettings.Development.json.
/// </summary>
public sealed record DevelopmentAuthSettings(string Issuer, string Audience, string SigningKey, string AccountClaim, string RoleClaim, string AdminRole)
{
    public const string RelativePath = "src/Billing.FunctionApp/appsettings.Development.json";

    /// <summary>HS256 needs a key of at least 256 bits.</summary>
    public const int MinimumSigningKeyBytes = 32;

    /// <summary>
    /// The settings from <paramref name="path"/>, or (when it is null) from <see cref="RelativePath"/> in
    /// <paramref name="searchFrom"/> or the nearest folder above it; otherwise false and a one-line reason.
    /// </summary>
    public static bool TryLoad(string? path, string searchFrom, [NotNullWhen(true)] out DevelopmentAuthSettings? settings, [NotNullWhen(false)] out string? error)
    {
        path ??= Find(searchFrom);
        if (path is null)
        {
            settings = null;
            error = $"No development Auth settings found ({RelativePath} above '{searchFrom}'). Run from the repository or pass --settings.";
            return false;
        }

        return TryRead(path, out settings, out error);
    }

    /// <summary>The settings in <paramref name="directory"/> or the nearest folder above it, or null.</summary>
    public static DevelopmentAuthSettings? FindFrom(string directory) =>
        TryLoad(null, directory, out var settings, out _) ? settings : null;

    public static bool TryRead(string path, [NotNullWhen(true)] out DevelopmentAuthSettings? settings, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        settings = null;
        try
        {
            var auth = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })?["Auth"];
            var issuer = (string?)auth?[nameof(Issuer)];
            var audience = (string?)auth?[nameof(Audience)];
            var key = (string?)auth?["DevelopmentSigningKey"];
            if (string.IsNullOrEmpty(issuer) || string.IsNullOrEmpty(audience) || string.IsNullOrEmpty(key))
            {
                error = $"'{path}' lacks Auth:Issuer, Auth:Audience or Auth:DevelopmentSigningKey.";
                return false;
            }

            if (Encoding.UTF8.GetByteCount(key) < MinimumSigningKeyBytes)
            {
                error = $"'{path}': Auth:DevelopmentSigningKey must be at least {MinimumSigningKeyBytes} bytes for HS256.";
                return false;
            }

            settings = new DevelopmentAuthSettings(
                issuer,
                audience,
                key,
                OrDefault(auth?[nameof(AccountClaim)], AuthDefaults.AccountClaim),
                OrDefault(auth?[nameof(RoleClaim)], AuthDefaults.RoleClaim),
                OrDefault(auth?[nameof(AdminRole)], AuthDefaults.AdminRole));
            error = null;
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            // Missing or unreadable file, not JSON, or an Auth value of the wrong JSON type.
            error = $"Cannot read Auth settings from '{path}': {exception.Message}";
            return false;
        }
    }

    /// <summary>
    /// A token request signed with these settings for <paramref name="accountId"/> in their account claim (null: none);
    /// <paramref name="admin"/>: with their admin role in their role claim.
    /// </summary>
    public DevelopmentTokenFactory.Request TokenRequest(string? accountId, bool admin = false) => new()
    {
        Issuer = Issuer,
        Audience = Audience,
        SigningKey = SigningKey,
        AccountClaim = AccountClaim,
        AccountId = accountId,
        RoleClaim = RoleClaim,
        Roles = admin ? [AdminRole] : [],
    };

    /// <summary>A setting's value, or the app's default when it is missing or empty.</summary>
    private static string OrDefault(JsonNode? value, string fallback) => (string?)value is { Length: > 0 } set ? set : fallback;

    private static string? Find(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, RelativePath);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}
