using System.Reflection;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Billing.Application.Catalog;
using Billing.Application.Subscriptions;
using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Billing.Infra.Tests.Bicep;
using Billing.Infrastructure.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Billing.Infra.Tests;

/// <summary>Every setting the code reads is set in Azure, from the template's parameters or its resources.</summary>
[Collection(DeployedTemplateGroup.Name)]
public sealed class AppSettingsTests(DeployedTemplate template)
{
    /// <summary>
    /// Settings of local.settings.sample.json that Azure does not get, each for a reason (docs/deploy.md says the same).
    /// Anything else the sample lists must be an app setting.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> LocalOnly = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["FUNCTIONS_WORKER_RUNTIME"] = "Flex Consumption takes the runtime from functionAppConfig.runtime and refuses it as an app setting.",
        ["AzureWebJobsStorage"] = "A connection string (Azurite); Azure uses the identity-based AzureWebJobsStorage__* settings, shared keys are off.",
        ["Auth__DevelopmentSigningKey"] = "Local tokens only; refused outside the Development environment (Azure uses Auth__Authority).",
        ["Stripe__ApiBase"] = "The local Stripe emulator; absent means api.stripe.com.",
        ["Billing__Cosmos__ConnectionString"] = "The local Cosmos server's key; Azure uses Billing__Cosmos__AccountEndpoint with the managed identity, keys are off.",
    };

    [Fact]
    public void Every_setting_of_the_local_sample_that_Azure_needs_is_set()
    {
        var settings = template.AppSettings();
        var sample = SampleSettings();
        Assert.All(LocalOnly.Keys, key => Assert.Contains(key, sample.Keys)); // the exclusions name real settings

        var missing = sample.Keys.Where(key => !LocalOnly.ContainsKey(key) && !settings.ContainsKey(key)).ToList();

        Assert.True(missing.Count == 0, "Not set in Azure: " + string.Join(", ", missing));
    }

    [Fact]
    public void Local_only_settings_are_not_deployed()
    {
        var settings = template.AppSettings();
        Assert.All(LocalOnly.Keys, key => Assert.DoesNotContain(key, settings.Keys));
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
    }

    [Fact]
    public void The_worker_runtime_and_its_dotnet_version_are_the_apps()
    {
        var runtime = template.OneOf("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["runtime"]!;

        Assert.Equal(SampleSettings()["FUNCTIONS_WORKER_RUNTIME"], (string?)runtime["name"]);
        // The version the worker is built for, e.g. ".NETCoreApp,Version=v10.0" -> "10.0".
        var framework = typeof(QueueNameOptions).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName;
        Assert.Equal(framework[(framework.IndexOf("Version=v", StringComparison.Ordinal) + "Version=v".Length)..], (string?)runtime["version"]);
    }

    [Fact]
    public void Storage_is_reached_with_the_managed_identity()
    {
        var settings = template.AppSettings();

        Assert.Equal("managedidentity", Known(settings, "AzureWebJobsStorage__credential"));
        AssertFromResource(settings, "AzureWebJobsStorage__queueServiceUri", "Microsoft.Storage/storageAccounts/", "primaryEndpoints.queue");
        AssertFromResource(settings, "AzureWebJobsStorage__blobServiceUri", "Microsoft.Storage/storageAccounts/", "primaryEndpoints.blob");
        AssertFromResource(settings, "AzureWebJobsStorage__clientId", "Microsoft.ManagedIdentity/userAssignedIdentities/", "clientId");
    }

    [Fact]
    public void Cosmos_DB_is_reached_with_the_managed_identity_and_never_provisioned_by_the_app()
    {
        var settings = template.AppSettings();

        AssertFromResource(settings, "Billing__Cosmos__AccountEndpoint", "Microsoft.DocumentDB/databaseAccounts/", "documentEndpoint");
        AssertFromResource(settings, "Billing__Cosmos__ManagedIdentityClientId", "Microsoft.ManagedIdentity/userAssignedIdentities/", "clientId");
        Assert.Equal("false", Known(settings, "Billing__Cosmos__ProvisionOnStartup"));
        Assert.Equal(DeployedTemplate.ShortName(template.OneOf("Microsoft.DocumentDB/databaseAccounts/sqlDatabases")), Known(settings, "Billing__Cosmos__DatabaseName"));
    }

    [Fact]
    public void Telemetry_goes_to_Application_Insights_with_the_managed_identity()
    {
        var settings = template.AppSettings();

        AssertFromResource(settings, "APPLICATIONINSIGHTS_CONNECTION_STRING", "Microsoft.Insights/components/", "ConnectionString");
        var authentication = Assert.IsType<ArmUnresolved>(settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]).Text;
        Assert.Contains("Authorization=AAD", authentication, StringComparison.Ordinal);
        Assert.Contains("userAssignedIdentities/", authentication, StringComparison.Ordinal);
        Assert.Equal(true, (bool?)template.OneOf("Microsoft.Insights/components")["properties"]!["DisableLocalAuth"]);
    }

    [Fact]
    public void Stripe_secrets_are_Key_Vault_references_to_the_version_the_deployment_wrote()
    {
        var settings = template.AppSettings();
        var vault = (string)template.OneOf("Microsoft.KeyVault/vaults")["id"]!;
        var secrets = template.OfType("Microsoft.KeyVault/vaults/secrets").Select(DeployedTemplate.ShortName).ToHashSet();

        // The secret's versioned URI: a new secret value is a changed setting, so the app restarts with it at once.
        foreach (var (setting, secret) in new[] { ("Stripe__SecretKey", "stripe-secret-key"), ("Stripe__WebhookSecrets__0", "stripe-webhook-secret-0"), ("Stripe__WebhookSecrets__1", "stripe-webhook-secret-1") })
        {
            var reference = Assert.IsType<ArmUnresolved>(settings[setting]).Text;
            Assert.StartsWith($"format('@Microsoft.KeyVault(SecretUri={{0}})', reference('{vault}/secrets/{secret}',", reference, StringComparison.Ordinal);
            Assert.EndsWith(").secretUriWithVersion)", reference, StringComparison.Ordinal);
            Assert.Contains(secret, secrets);
        }

        var vaultProperties = template.OneOf("Microsoft.KeyVault/vaults")["properties"]!;
        Assert.Equal(true, (bool?)vaultProperties["enableRbacAuthorization"]); // no access policies: the one role in access.bicep
        Assert.Null(vaultProperties["accessPolicies"]);

        var site = template.OneOf("Microsoft.Web/sites");
        Assert.EndsWith("/" + DeployedTemplate.ShortName(template.OneOf("Microsoft.ManagedIdentity/userAssignedIdentities")), (string)site["properties"]!["keyVaultReferenceIdentity"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void The_queue_settings_name_the_codes_queues()
    {
        var settings = template.AppSettings();
        var defaults = new QueueNameOptions();

        Assert.Equal(defaults.QueueName, Known(settings, QueueNameOptions.SettingName));
        Assert.Equal(defaults.InvoiceJobsQueueName, Known(settings, QueueNameOptions.InvoiceJobsSettingName));
        Assert.Equal(defaults.NotificationsQueueName, Known(settings, QueueNameOptions.NotificationsSettingName));
    }

    [Fact]
    public void The_trigger_expressions_all_have_a_setting()
    {
        // %NAME% in the function app's trigger attributes is resolved by the Functions host from app settings.
        var settings = template.AppSettings();
        var functionApp = Path.Combine(BicepCli.RepositoryRoot, "src", "Billing.FunctionApp");
        var names = Directory.EnumerateFiles(functionApp, "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file), "Trigger\\(\"%([A-Z_]+)%\"").Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();

        Assert.Equal(4, names.Count); // two queues, two timers
        Assert.All(names, name => Assert.Contains(name, settings.Keys));
    }

    [Fact]
    public void Frontend_origins_are_the_CORS_origins_and_the_allowed_redirect_origins()
    {
        var settings = template.AppSettings();
        var origins = DeployedTemplate.Parameters.FrontendOrigins.Split(',', StringSplitOptions.TrimEntries);
        var cors = template.OneOf("Microsoft.Web/sites")["properties"]!["siteConfig"]!["cors"]!["allowedOrigins"]!.AsArray().Select(o => (string)o!).ToList();

        Assert.Equal(origins, cors);
        Assert.Equal(origins, origins.Select((_, i) => Known(settings, $"Billing__Redirects__AllowedOrigins__{i}")));
        Assert.Equal($"{origins[0]}/billing/success?session_id={{CHECKOUT_SESSION_ID}}", Known(settings, "Billing__Checkout__SuccessUrl"));
        Assert.Equal(DeployedTemplate.Parameters.AuthAuthority, Known(settings, "Auth__Authority"));
        Assert.Equal(DeployedTemplate.Parameters.AuthAuthority, Known(settings, "Auth__Issuer"));
        Assert.Equal(DeployedTemplate.Parameters.ServiceApiKeySha256, Known(settings, "Billing__ServiceAuth__ApiKeys__0__Sha256"));
        Assert.Equal(DeployedTemplate.Parameters.ServiceClientId, Known(settings, "Billing__ServiceAuth__ClientIds__0"));
    }

    [Fact]
    public async Task An_empty_issuer_or_account_claim_from_azd_deploys_the_default_not_an_empty_setting()
    {
        // azd passes "" for a variable set to "" (`azd env set BILLING_AUTH_ISSUER ""`; before azd 1.15.0 also for an
        // unset one) instead of leaving the parameter to its default; an empty Auth:Issuer or Auth:AccountClaim stops the app.
        var directory = Directory.CreateTempSubdirectory("billing-infra-empty-").FullName;
        try
        {
            var (result, resources, _) = await DeployedTemplate.SnapshotAsync(directory, new Dictionary<string, string>
            {
                ["authIssuer"] = "''",
                ["authAccountClaim"] = "''",
            });
            Assert.True(result.ExitCode == 0, result.Output);
            var settings = DeployedTemplate.AppSettingsOf(resources);

            Assert.Equal(DeployedTemplate.Parameters.AuthAuthority, Known(settings, "Auth__Issuer"));
            Assert.Equal("sub", Known(settings, "Auth__AccountClaim")); // AuthDefaults.AccountClaim
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Frontend_origins_given_with_a_trailing_slash_deploy_as_origins()
    {
        // A browser's Origin header never ends in '/': App Service's CORS would refuse every call from such an entry,
        // and the default return URLs would start with '//billing' (the app itself accepts 'https://host/').
        var directory = Directory.CreateTempSubdirectory("billing-infra-origins-").FullName;
        try
        {
            var (result, resources, _) = await DeployedTemplate.SnapshotAsync(directory, new Dictionary<string, string>
            {
                ["frontendOrigins"] = "'https://app.example.com/, https://www.example.com:8443/'",
            });
            Assert.True(result.ExitCode == 0, result.Output);
            var settings = DeployedTemplate.AppSettingsOf(resources);
            var site = resources.Single(r => (string?)r["type"] == "Microsoft.Web/sites");
            var cors = site["properties"]!["siteConfig"]!["cors"]!["allowedOrigins"]!.AsArray().Select(o => (string)o!).ToList();

            string[] expected = ["https://app.example.com", "https://www.example.com:8443"];
            Assert.Equal(expected, cors);
            Assert.Equal(expected, expected.Select((_, i) => Known(settings, $"Billing__Redirects__AllowedOrigins__{i}")));
            Assert.Equal("https://app.example.com/billing/success?session_id={CHECKOUT_SESSION_ID}", Known(settings, "Billing__Checkout__SuccessUrl"));
            Assert.Equal("https://app.example.com/billing", Known(settings, "Billing__Checkout__CancelUrl"));
            Assert.Equal("https://app.example.com/billing", Known(settings, "Billing__Portal__ReturnUrl"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_deployed_plan_catalog_is_one_the_app_accepts()
    {
        var settings = template.AppSettings();
        var catalog = settings.Where(s => s.Key.StartsWith("Billing__Catalog__", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(catalog);
        Assert.All(catalog, s => Assert.False(Known(settings, s.Key).StartsWith('{') || Known(settings, s.Key).StartsWith('['), $"{s.Key} was not flattened"));

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(catalog.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)Known(settings, s.Key))))
            .Build();
        var options = new PlanCatalogOptions();
        configuration.GetSection(PlanCatalogOptions.SectionName).Bind(options);

        Assert.True(PlanCatalog.TryCreate(options, out var plans, out var errors), string.Join(Environment.NewLine, errors));
        // The same catalog as infra/plan-catalog.json, member for member.
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "infra", "plan-catalog.json")))!;
        Assert.Equal(Leaves(file, "Billing__Catalog"), catalog.ToDictionary(s => s.Key, s => Known(settings, s.Key)));
        Assert.NotNull(plans);
    }

    [Fact]
    public void The_deployed_credit_packs_and_add_ons_are_ones_the_app_accepts()
    {
        var settings = template.AppSettings();
        var purchases = settings.Where(s => s.Key.StartsWith("Billing__Purchases__", StringComparison.Ordinal)).ToList();
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "infra", "purchases.json")))!;
        // The same purchases as infra/purchases.json, member for member, each a flat value.
        Assert.Equal(Leaves(file, "Billing__Purchases"), purchases.ToDictionary(s => s.Key, s => Known(settings, s.Key)));
        Assert.All(purchases, s => Assert.False(Known(settings, s.Key).StartsWith('{') || Known(settings, s.Key).StartsWith('['), $"{s.Key} was not flattened"));

        // Bound and validated as the app does at start-up: the add-ons' meters must be the deployed catalog's.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings
                .Where(s => s.Key.StartsWith("Billing__Catalog__", StringComparison.Ordinal) || s.Key.StartsWith("Billing__Purchases__", StringComparison.Ordinal))
                .Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)Known(settings, s.Key))))
            .Build();
        var plans = new PlanCatalogOptions();
        configuration.GetSection(PlanCatalogOptions.SectionName).Bind(plans);
        var options = new PurchaseOptions();
        configuration.GetSection(PurchaseOptions.SectionName).Bind(options);

        var result = new PurchaseOptionsValidator(Options.Create(plans)).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(file["CreditPacks"]?.AsArray().Count ?? 0, options.CreditPacks.Count);
        Assert.Equal(file["AddOns"]?.AsArray().Count ?? 0, options.AddOns.Count);
    }

    [Fact]
    public async Task A_catalog_text_that_starts_with_a_bracket_or_brace_deploys_as_that_text()
    {
        // A display name such as "[Legacy] Pro" is text, not a list: flattened as one, it deployed no DisplayName at all
        // (one setting per character instead) and the app refused to start.
        var directory = Directory.CreateTempSubdirectory("billing-infra-brackets-").FullName;
        try
        {
            var (result, resources, _) = await DeployedTemplate.SnapshotAsync(directory, new Dictionary<string, string>
            {
                ["purchases"] = "{ CreditPacks: [ { Code: 'CREDITS_10', DisplayName: '[Launch] 10 usd of credit', PriceId: 'price_credits_10', Amount: 1000, Currency: 'usd', Credit: 1000 }, "
                    + "{ Code: 'CREDITS_20', DisplayName: '{Team} credit', PriceId: 'price_credits_20', Amount: 2000, Currency: 'usd', Credit: 2000 } ], AddOns: [] }",
            });
            Assert.True(result.ExitCode == 0, result.Output);
            var settings = DeployedTemplate.AppSettingsOf(resources);

            Assert.Equal("[Launch] 10 usd of credit", Known(settings, "Billing__Purchases__CreditPacks__0__DisplayName"));
            Assert.Equal("{Team} credit", Known(settings, "Billing__Purchases__CreditPacks__1__DisplayName"));
            Assert.Equal("1000", Known(settings, "Billing__Purchases__CreditPacks__0__Amount"));
            Assert.DoesNotContain("Billing__Purchases__CreditPacks__0__DisplayName__0", settings.Keys);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_deployed_missed_event_sweep_settings_are_ones_the_app_accepts_and_its_time_budget_fits_the_function_timeout()
    {
        var settings = template.AppSettings();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings
                .Where(s => s.Key.StartsWith("Billing__MissedEventSweep__", StringComparison.Ordinal))
                .Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)Known(settings, s.Key))))
            .Build();
        var options = new MissedEventSweepOptions();
        configuration.GetSection(MissedEventSweepOptions.SectionName).Bind(options);
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "host.json")))!;

        // The validator's bound is the host's timeout: a run the host stops never writes the position of its last batch.
        Assert.Equal(MissedEventSweepOptions.FunctionTimeout, TimeSpan.Parse((string)host["functionTimeout"]!, System.Globalization.CultureInfo.InvariantCulture));
        var result = new MissedEventSweepOptionsValidator().Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal((100, TimeSpan.FromMinutes(4), 4), (options.BatchSize, options.TimeBudget, options.Parallelism));
    }

    /// <summary>A settings file's values as the app settings that carry them: <c>{prefix}__Plans__0__Code</c> to <c>FREE</c>.</summary>
    private static Dictionary<string, string> Leaves(JsonNode node, string prefix) => node switch
    {
        JsonObject o => o.SelectMany(p => Leaves(p.Value!, $"{prefix}__{p.Key}")).ToDictionary(),
        JsonArray a => a.SelectMany((e, i) => Leaves(e!, $"{prefix}__{i}")).ToDictionary(),
        JsonValue v when v.TryGetValue(out string? text) => new() { [prefix] = text },
        _ => new() { [prefix] = node.ToJsonString() },
    };

    private static string Known(IReadOnlyDictionary<string, ArmValue> settings, string name)
    {
        Assert.True(settings.TryGetValue(name, out var value), $"{name} is not set.");
        return value switch
        {
            ArmText text => text.Value,
            ArmNumber number => number.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new Xunit.Sdk.XunitException($"{name} is not a known value: {value}"),
        };
    }

    private static void AssertFromResource(IReadOnlyDictionary<string, ArmValue> settings, string name, string resourceType, string property)
    {
        Assert.True(settings.TryGetValue(name, out var value), $"{name} is not set.");
        var expression = Assert.IsType<ArmUnresolved>(value).Text;
        Assert.StartsWith("reference(", expression, StringComparison.Ordinal);
        Assert.Contains(resourceType, expression, StringComparison.Ordinal);
        Assert.EndsWith("." + property, expression, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> SampleSettings()
    {
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "local.settings.sample.json")))!;
        return sample["Values"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);
    }
}
