using System.Text.Json.Nodes;

namespace Billing.Cli.Tokens;

/// <summary>The function app's development Auth settings (issuer, audience, key), read from its appsettings.Development.json.</summary>
public sealed record DevelopmentAuthSettings(string Issuer, string Audience, string SigningKey, string AccountClaim)
{
    public const string RelativePath = "src/Billing.FunctionApp/appsettings.Development.json";

    public static DevelopmentAuthSettings? FindFrom(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, RelativePath);
            if (File.Exists(path))
            {
                return Read(path);
            }
        }

        return null;
    }

    public static DevelopmentAuthSettings? Read(string path)
    {
        var auth = JsonNode.Parse(File.ReadAllText(path))?["Auth"];
        var issuer = (string?)auth?[nameof(Issuer)];
        var audience = (string?)auth?[nameof(Audience)];
        var key = (string?)auth?["DevelopmentSigningKey"];
        return issuer is null || audience is null || key is null
            ? null
            : new DevelopmentAuthSettings(issuer, audience, key, (string?)auth?[nameof(AccountClaim)] ?? "sub");
    }
}
