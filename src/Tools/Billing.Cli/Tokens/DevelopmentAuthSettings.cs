using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.FunctionApp.Http;

namespace Billing.Cli.Tokens;

/// <summary>
/// The function app's development Auth settings (issuer, audience, key; the account claim, role claim and admin role with
/// the app's defaults), read as the app reads them: its appsettings.Development.json, then the <c>Auth__*</c> values of
/// the <c>local.settings.json</c> beside Billing.sln, which the build copies next to the worker, then the exported
/// <c>Auth__*</c> environment variables, which win over both (an environment variable wins over local.settings.json).
/// </summary>
public sealed record DevelopmentAuthSettings(string Issuer, string Audience, string SigningKey, string AccountClaim, string RoleClaim, string AdminRole)
{
    public const string RelativePath = "src/Billing.FunctionApp/appsettings.Development.json";

    /// <summary>The developer's own settings, beside Billing.sln (git-ignored); their <c>Values</c> override the app's files.</summary>
    public const string LocalSettingsFileName = "local.settings.json";

    private const string ValuesPrefix = "Auth__";

    /// <summary>HS256 needs a key of at least 256 bits.</summary>
    public const int MinimumSigningKeyBytes = 32;

    /// <summary>
    /// The settings from <paramref name="path"/> alone, or (when it is null) from <see cref="RelativePath"/> in
    /// <paramref name="searchFrom"/> or the nearest folder above it, with the <see cref="LocalSettingsFileName"/> beside
    /// Billing.sln over it and the <c>Auth__*</c> variables of <paramref name="environment"/> (null: this process's) over
    /// both; otherwise false and a one-line reason.
    /// </summary>
    public static bool TryLoad(string? path, string searchFrom, [NotNullWhen(true)] out DevelopmentAuthSettings? settings, [NotNullWhen(false)] out string? error, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (path is not null)
        {
            return TryRead([path], out settings, out error);
        }

        var root = FindRoot(searchFrom);
        if (root is null)
        {
            settings = null;
            error = $"No development Auth settings found ({RelativePath} above '{searchFrom}'). Run from the repository or pass --settings.";
            return false;
        }

        var local = Path.Combine(root, LocalSettingsFileName);
        string[] layers = File.Exists(local) ? [Path.Combine(root, RelativePath), local] : [Path.Combine(root, RelativePath)];
        return TryRead(layers, out settings, out error, environment ?? ProcessEnvironment());
    }

    /// <summary>This process's environment variables.</summary>
    private static Dictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    /// <summary>The settings in <paramref name="directory"/> or the nearest folder above it, or null.</summary>
    public static DevelopmentAuthSettings? FindFrom(string directory) =>
        TryLoad(null, directory, out var settings, out _) ? settings : null;

    /// <summary>
    /// The settings of <paramref name="layers"/>, each an app settings file (its <c>Auth</c> section) or a
    /// local.settings.json (its <c>Values</c> named <c>Auth__*</c>), a later file's value winning, and then the
    /// <c>Auth__*</c> variables of <paramref name="environment"/> (none: the files alone), as in the app's configuration.
    /// </summary>
    private static bool TryRead(IReadOnlyList<string> layers, [NotNullWhen(true)] out DevelopmentAuthSettings? settings, [NotNullWhen(false)] out string? error, IReadOnlyDictionary<string, string?>? environment = null)
    {
        settings = null;
        var auth = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var setBy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase); // the layer each value came from
        foreach (var path in layers)
        {
            try
            {
                var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                foreach (var (name, value) in AuthValues(root))
                {
                    auth[name] = (string?)value ?? "";
                    setBy[name] = path;
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
            {
                // Missing or unreadable file, not JSON, or an Auth value of the wrong JSON type.
                error = $"Cannot read Auth settings from '{path}': {exception.Message}";
                return false;
            }
        }

        const string Exported = "the exported Auth__ variables";
        var exported = Prefixed(environment ?? new Dictionary<string, string?>()).ToList();
        foreach (var (name, value) in exported)
        {
            auth[name] = value ?? "";
            setBy[name] = Exported;
        }

        var source = string.Join("' and '", exported.Count == 0 ? layers : [.. layers, Exported]);
        if (!string.IsNullOrWhiteSpace(Value(auth, "Authority")))
        {
            // The app then checks tokens against that provider's keys only (Authentication.cs).
            error = $"'{setBy["Authority"]}' sets Auth:Authority: the app accepts only that identity provider's tokens, so a development token would be refused.";
            return false;
        }

        if (Value(auth, nameof(Issuer)) is not { } issuer || Value(auth, nameof(Audience)) is not { } audience || Value(auth, "DevelopmentSigningKey") is not { } key)
        {
            error = $"'{source}' lacks Auth:Issuer, Auth:Audience or Auth:DevelopmentSigningKey.";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(key) < MinimumSigningKeyBytes)
        {
            error = $"'{setBy["DevelopmentSigningKey"]}': Auth:DevelopmentSigningKey must be at least {MinimumSigningKeyBytes} bytes for HS256.";
            return false;
        }

        settings = new DevelopmentAuthSettings(
            issuer,
            audience,
            key,
            Value(auth, nameof(AccountClaim)) ?? AuthDefaults.AccountClaim,
            Value(auth, nameof(RoleClaim)) ?? AuthDefaults.RoleClaim,
            Value(auth, nameof(AdminRole)) ?? AuthDefaults.AdminRole);
        error = null;
        return true;
    }

    /// <summary>A setting's value, or null when it is missing or empty (the app's default then applies).</summary>
    private static string? Value(Dictionary<string, string> auth, string name) =>
        auth.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>The Auth settings a file holds: an <c>Auth</c> section, or <c>Values</c> named <c>Auth__*</c>.</summary>
    private static IEnumerable<(string Name, JsonNode? Value)> AuthValues(JsonNode? root)
    {
        if (root?["Auth"] is JsonObject section)
        {
            return section.Select(p => (p.Key, p.Value));
        }

        return root?["Values"] is JsonObject values ? Prefixed(values) : [];
    }

    /// <summary>The <c>Auth__*</c> entries of a set of values (local.settings.json's, or the environment), named without the prefix, in any case as the app's configuration.</summary>
    private static IEnumerable<(string Name, T Value)> Prefixed<T>(IEnumerable<KeyValuePair<string, T>> values) =>
        values.Where(p => p.Key.StartsWith(ValuesPrefix, StringComparison.OrdinalIgnoreCase)).Select(p => (p.Key[ValuesPrefix.Length..], p.Value));

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

    /// <summary>The repository folder: <paramref name="directory"/> or the nearest folder above it that holds <see cref="RelativePath"/>.</summary>
    private static string? FindRoot(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, RelativePath)))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
