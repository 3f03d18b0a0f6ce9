using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Billing.Cli.Tokens;

/// <summary>The function app's development Auth settings (issuer, audience, key), read from its appsettings.Development.json.</summary>
public sealed record DevelopmentAuthSettings(string Issuer, string Audience, string SigningKey, string AccountClaim)
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

            settings = new DevelopmentAuthSettings(issuer, audience, key, (string?)auth?[nameof(AccountClaim)] is { Length: > 0 } claim ? claim : "sub");
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
