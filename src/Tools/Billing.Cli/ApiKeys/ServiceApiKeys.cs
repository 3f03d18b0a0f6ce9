using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Billing.Cli.ApiKeys;

/// <summary>
/// API keys for the function app's service endpoints: a new key is 32 random bytes in base64url; the app is configured
/// only with its hex SHA-256 (<c>Billing:ServiceAuth:ApiKeys:N:Sha256</c>), the same hash it computes of a presented key.
/// </summary>
public static class ServiceApiKeys
{
    public const int KeyBytes = 32;

    public const string DefaultName = "service";

    public const int MaxNameLength = 64;

    /// <summary>The app setting names of key <c>N</c> (<c>:</c> written as <c>__</c>, as app settings and environment variables need).</summary>
    public const string SettingPrefix = "Billing__ServiceAuth__ApiKeys__";

    /// <summary>A new random key: 43 base64url characters.</summary>
    public static string NewKey() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>The lower-case hex SHA-256 of the UTF-8 <paramref name="key"/>.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>The two app settings that make the app accept the key whose hash is <paramref name="sha256"/>.</summary>
    public static IReadOnlyList<string> SettingLines(string name, string sha256, int index = 0) =>
        [$"{SettingPrefix}{index}__Name={name}", $"{SettingPrefix}{index}__Sha256={sha256}"];

    /// <summary>
    /// Whether <paramref name="key"/> can arrive in an <c>X-Api-Key</c> header as it is: visible ASCII, spaces only inside.
    /// The server trims a header value's outer spaces and tabs and refuses control characters, and .NET's HttpClient will
    /// not send non-ASCII, so the hash of any other key would match nothing the app is sent.
    /// </summary>
    public static bool IsSendable(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length > 0 && key[0] != ' ' && key[^1] != ' ' && key.All(c => c is >= ' ' and <= '~');
    }

    /// <summary>A name is 1..64 letters, digits, '.', '-' or '_': safe in a settings line and in a log.</summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}
