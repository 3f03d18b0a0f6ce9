namespace Billing.Cli.Tests.Support;

/// <summary>A function app settings file with a development Auth section, written to a temporary folder.</summary>
internal sealed class TestSettings : IDisposable
{
    public const string Issuer = "https://billing.test/dev";
    public const string Audience = "billing-api-test";
    public const string SigningKey = "cli-tests-signing-key-0123456789abcdef0123";

    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "billing-cli-tests-" + Guid.NewGuid().ToString("N"));

    public TestSettings(string? json = null)
    {
        Directory.CreateDirectory(_directory);
        Path = System.IO.Path.Combine(_directory, "appsettings.Development.json");
        File.WriteAllText(Path, json ?? WithAuthJson(""));
    }

    public string Path { get; }

    /// <summary>The usable Auth section with <paramref name="fields"/> added, e.g. <c>"AccountClaim": "org_id"</c>.</summary>
    public static TestSettings WithAuth(string fields) => new(WithAuthJson(", " + fields));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string WithAuthJson(string fields) => $$"""
        { "Auth": { "Issuer": "{{Issuer}}", "Audience": "{{Audience}}", "DevelopmentSigningKey": "{{SigningKey}}"{{fields}} } }
        """;
}
