using System.Text.Json;
using System.Text.Json.Nodes;

namespace Billing.Infra.Tests.Bicep;

/// <summary>
/// infra/main.bicep as the Bicep CLI sees it, produced once for all tests: the compiled ARM template
/// (<c>bicep build --stdout</c>'s compile, asked of <see cref="BicepServer"/>), the linter's output (<c>bicep lint</c>,
/// with infra/bicepconfig.json), and the resources a deployment with <see cref="Parameters"/> would create (the
/// snapshot <c>bicep snapshot</c> writes, asked of <see cref="BicepServer"/>: the template evaluated offline, modules
/// expanded; values only a deployment knows, such as an identity's client id, stay expressions).
/// </summary>
public sealed class DeployedTemplate : IAsyncLifetime
{
    /// <summary>The deployment's inputs. The secrets are fakes the tests look for where they must not be.</summary>
    public static class Parameters
    {
        public const string EnvironmentName = "infra-test";
        public const string Location = "westeurope";
        public const string FrontendOrigins = "https://app.example.com, https://www.example.com";
        public const string AuthAuthority = "https://login.example.com/";
        public const string AuthAudience = "billing-api";
        public const string StripeSecretKey = "sk_test_InfraTestSecretKeyValue";
        public const string StripeWebhookSecret = "whsec_InfraTestWebhookSecretValue";
        public const string AlertEmail = "ops@example.com";
        public const string ServiceApiKeyName = "backend";
        public const string ServiceApiKeySha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        public const string ServiceClientId = "11111111-2222-3333-4444-555555555555";

        /// <summary>The product's consumers of the notifications queue (Entra object ids).</summary>
        public static readonly IReadOnlyList<string> NotificationConsumerPrincipalIds = ["66666666-7777-4888-9999-aaaaaaaaaaaa", "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"];
    }

    private string? _workDirectory;

    public JsonObject Template { get; private set; } = null!;

    public BicepResult Build { get; private set; } = null!;

    public BicepResult Lint { get; private set; } = null!;

    public BicepResult Snapshot { get; private set; } = null!;

    public IReadOnlyList<JsonObject> Resources { get; private set; } = [];

    public async Task InitializeAsync()
    {
        _workDirectory = Directory.CreateTempSubdirectory("billing-infra-").FullName;
        Build = await BicepServer.CompileAsync(BicepCli.MainTemplate);
        Template = Build.ExitCode == 0 ? (JsonObject)JsonNode.Parse(Build.StandardOutput)! : new JsonObject();
        Lint = await BicepCli.RunAsync("lint", BicepCli.MainTemplate);

        (Snapshot, Resources, SnapshotDiagnostics) = await SnapshotAsync(_workDirectory, new Dictionary<string, string>());
    }

    /// <summary>
    /// <c>bicep snapshot</c> of main.bicep with <see cref="Parameters"/>, each of <paramref name="overrides"/> (parameter
    /// name to its Bicep value, e.g. <c>''</c>) replacing or adding one: the result, the predicted resources and what
    /// the snapshot could not expand.
    /// </summary>
    public static async Task<(BicepResult Result, IReadOnlyList<JsonObject> Resources, IReadOnlyList<string> Diagnostics)> SnapshotAsync(
        string directory, IReadOnlyDictionary<string, string> overrides)
    {
        var parameters = Path.Combine(directory, "test.bicepparam");
        // A .bicepparam must name its template with a relative path.
        var template = Path.GetRelativePath(directory, BicepCli.MainTemplate).Replace('\\', '/');
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["environmentName"] = $"'{Parameters.EnvironmentName}'",
            ["location"] = $"'{Parameters.Location}'",
            ["frontendOrigins"] = $"'{Parameters.FrontendOrigins}'",
            ["authAuthority"] = $"'{Parameters.AuthAuthority}'",
            ["authAudience"] = $"'{Parameters.AuthAudience}'",
            ["stripeSecretKey"] = $"'{Parameters.StripeSecretKey}'",
            ["stripeWebhookSecret"] = $"'{Parameters.StripeWebhookSecret}'",
            ["alertEmail"] = $"'{Parameters.AlertEmail}'",
            ["serviceApiKeys"] = "[ { name: '" + Parameters.ServiceApiKeyName + "', sha256: '" + Parameters.ServiceApiKeySha256 + "' } ]",
            ["serviceTokenClientIds"] = $"[ '{Parameters.ServiceClientId}' ]",
            ["notificationConsumerPrincipalIds"] = $"[ {string.Join(", ", Parameters.NotificationConsumerPrincipalIds.Select(id => $"'{id}'"))} ]",
        };
        foreach (var (name, value) in overrides)
        {
            values[name] = value;
        }

        await File.WriteAllTextAsync(parameters, $"using '{template}'\n" + string.Join("\n", values.Select(p => $"param {p.Key} = {p.Value}")) + "\n");
        var result = await BicepServer.SnapshotAsync(
            parameters,
            subscriptionId: "00000000-0000-0000-0000-00000000a001",
            tenantId: "00000000-0000-0000-0000-00000000b001",
            location: Parameters.Location);
        if (result.ExitCode != 0)
        {
            return (result, [], []);
        }

        var snapshot = JsonNode.Parse(result.StandardOutput)!.AsObject();
        return (
            result,
            snapshot["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList(),
            snapshot["diagnostics"]!.AsArray().Select(d => d!.ToJsonString()).ToList());
    }

    /// <summary>What the snapshot could not expand (a module whose loops need deployment-time values, ...).</summary>
    public IReadOnlyList<string> SnapshotDiagnostics { get; private set; } = [];

    public Task DisposeAsync()
    {
        if (_workDirectory is not null)
        {
            Directory.Delete(_workDirectory, recursive: true);
        }

        return Task.CompletedTask;
    }

    public IReadOnlyList<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase)).ToList();

    public JsonObject OneOf(string type)
    {
        var matches = OfType(type);
        Assert.True(matches.Count == 1, $"Expected one {type}, the snapshot has {matches.Count}.");
        return matches[0];
    }

    /// <summary>The last segment of a resource's name (<c>account/default/queue</c> → <c>queue</c>).</summary>
    public static string ShortName(JsonObject resource) => ((string)resource["name"]!).Split('/')[^1];

    /// <summary>The function app's settings (Microsoft.Web/sites/config appsettings), names with known or unresolved values.</summary>
    public IReadOnlyDictionary<string, ArmValue> AppSettings() => AppSettingsOf(Resources);

    /// <summary>The function app's settings among <paramref name="resources"/> (a snapshot's predicted resources).</summary>
    public static IReadOnlyDictionary<string, ArmValue> AppSettingsOf(IReadOnlyList<JsonObject> resources)
    {
        var config = resources.Where(r => string.Equals((string?)r["type"], "Microsoft.Web/sites/config", StringComparison.OrdinalIgnoreCase)).Single(c => ShortName(c) == "appsettings");
        var value = ToArmValue(config["properties"]!);
        return value is ArmObject settings
            ? settings.Members
            : throw new InvalidOperationException($"The app settings could not be read from the snapshot: {config["properties"]!.ToJsonString()[..Math.Min(300, config["properties"]!.ToJsonString().Length)]}");
    }

    public static ArmValue ToArmValue(JsonNode node) => node switch
    {
        JsonObject o => new ArmObject(o.ToDictionary(p => p.Key, p => ToArmValue(p.Value!), StringComparer.Ordinal)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => ArmExpression.FromJsonString(v.GetValue<string>()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => new ArmNumber(v.GetValue<long>()),
        _ => new ArmText(node.ToJsonString()),
    };
}

[CollectionDefinition(Name)]
public sealed class DeployedTemplateGroup : ICollectionFixture<DeployedTemplate>
{
    public const string Name = "infra/main.bicep";
}
