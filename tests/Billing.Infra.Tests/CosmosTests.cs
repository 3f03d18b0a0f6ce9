using System.Text.RegularExpressions;
using Billing.Cosmos.Configuration;
using Billing.Cosmos.Provisioning;
using Billing.Infra.Tests.Bicep;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Cosmos.Scripts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using RegexMatch = System.Text.RegularExpressions.Match;

namespace Billing.Infra.Tests;

[Collection(DeployedTemplateGroup.Name)]
public sealed class CosmosTests(DeployedTemplate template)
{
    private const string EtagPath = "/\"_etag\"/?"; // Cosmos DB excludes it by default; templates spell it out

    [Fact]
    public async Task The_database_and_every_container_are_those_the_provisioner_creates()
    {
        var (database, containers, _) = await WhatTheProvisionerCreatesAsync();

        Assert.Equal(database, DeployedTemplate.ShortName(template.OneOf("Microsoft.DocumentDB/databaseAccounts/sqlDatabases")));
        var deployed = template.OfType("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers")
            .Select(c => c["properties"]!["resource"]!)
            .ToDictionary(r => (string)r["id"]!);
        Assert.Equal(containers.Select(c => c.Id).Order(), deployed.Keys.Order());

        foreach (var wanted in containers)
        {
            var resource = deployed[wanted.Id];
            Assert.Equal([wanted.PartitionKeyPath], resource["partitionKey"]!["paths"]!.AsArray().Select(p => (string)p!));
            Assert.Equal(wanted.DefaultTimeToLive, (int?)resource["defaultTtl"]);

            var indexing = resource["indexingPolicy"]!;
            var excluded = indexing["excludedPaths"]!.AsArray().Select(p => (string)p!["path"]!).Where(p => p != EtagPath).Order();
            Assert.Equal(wanted.IndexingPolicy.ExcludedPaths.Select(p => p.Path).Order(), excluded);
            var included = indexing["includedPaths"]!.AsArray().Select(p => (string)p!["path"]!).Order();
            Assert.Equal(wanted.IndexingPolicy.IncludedPaths.Count == 0 && wanted.IndexingPolicy.ExcludedPaths.All(p => p.Path != "/*") ? ["/*"] : wanted.IndexingPolicy.IncludedPaths.Select(p => p.Path).Order(), included);
            var composite = (indexing["compositeIndexes"]?.AsArray() ?? []).Select(index => string.Join(", ", index!.AsArray().Select(p => $"{(string)p!["path"]!} {(string)p["order"]!}")));
            Assert.Equal(wanted.IndexingPolicy.CompositeIndexes.Select(index => string.Join(", ", index.Select(p => $"{p.Path} {p.Order.ToString().ToLowerInvariant()}"))), composite);
        }
    }

    [Fact]
    public async Task The_accounts_container_has_the_composite_index_the_missed_event_sweep_orders_by()
    {
        var (_, containers, _) = await WhatTheProvisionerCreatesAsync();

        var accounts = Assert.Single(containers, c => c.Id == "accounts");
        // The missed-event sweep: renewsBy, then account id, both descending (the only two-field order).
        Assert.Equal(
            [[("/renewsBy", CompositePathSortOrder.Descending), ("/accountId", CompositePathSortOrder.Descending)]],
            accounts.IndexingPolicy.CompositeIndexes.Select(index => index.Select(p => (p.Path, p.Order)).ToArray()).ToArray());
        var deployed = template.OfType("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers")
            .Single(c => (string?)c["properties"]!["resource"]!["id"] == "accounts")["properties"]!["resource"]!["indexingPolicy"]!["compositeIndexes"]!;
        Assert.Equal("""[[{"path":"/renewsBy","order":"descending"},{"path":"/accountId","order":"descending"}]]""", deployed.ToJsonString());
    }

    /// <summary>
    /// Every path a query filters or orders on is indexed, and no other: Cosmos DB charges each write for every indexed
    /// term of the document (the usage record's key and counters carry some forty, which no query reads), and an
    /// <c>ORDER BY</c> on a path without a range index fails. The local server ignores the indexing policy, so only this
    /// test sees either. The queries are the string literals of src/Billing.Cosmos (all on the accounts container), read by
    /// <see cref="CSharpStringLiterals"/>: over several lines, raw or verbatim, and a clause inside an interpolation hole;
    /// conditional patch filters (<c>FROM c WHERE ...</c>) are evaluated on the one document and need no index.
    /// </summary>
    [Fact]
    public async Task The_containers_index_the_paths_their_queries_filter_and_order_on_and_no_other()
    {
        var (_, containers, _) = await WhatTheProvisionerCreatesAsync();
        var (queried, files) = QueriedProperties();

        Assert.NotEmpty(queried);
        foreach (var source in Directory.EnumerateFiles(Path.Combine(BicepCli.RepositoryRoot, "src"), "*.cs", SearchOption.AllDirectories))
        {
            // LINQ queries have no text to read, and only src/Billing.Cosmos is read: every query must be there, as SQL.
            var code = File.ReadAllText(source);
            Assert.DoesNotContain("GetItemLinqQueryable", code, StringComparison.Ordinal);
            Assert.True(source.StartsWith(Path.Combine(BicepCli.RepositoryRoot, "src", "Billing.Cosmos"), StringComparison.Ordinal) || !Regex.IsMatch(code, @"\b(GetItemQuery(Stream)?Iterator|QueryDefinition)\b"), $"{source} queries Cosmos DB outside src/Billing.Cosmos");
        }

        Assert.All(files, file => Assert.DoesNotMatch(@"containers\.Stripe(Events|Customers)\b", File.ReadAllText(file)));
        var accounts = Assert.Single(containers, c => c.Id == "accounts").IndexingPolicy;
        Assert.Equal(["/*"], accounts.ExcludedPaths.Select(p => p.Path));
        Assert.Equal(queried.Where(p => p != "id").Select(p => $"/{p.Replace('.', '/')}/?").Order(StringComparer.Ordinal), accounts.IncludedPaths.Select(p => p.Path).Order(StringComparer.Ordinal));
        foreach (var keyValue in containers.Where(c => c.Id != "accounts"))
        {
            // Read by id only (id and _ts are always indexed).
            Assert.Equal(["/*"], keyValue.IndexingPolicy.ExcludedPaths.Select(p => p.Path));
            Assert.Empty(keyValue.IndexingPolicy.IncludedPaths);
        }
    }

    /// <summary>The properties (<c>c.name</c>, or <c>c.name.inner</c> for a nested one) the query text in src/Billing.Cosmos names, and the files it is in.</summary>
    private static (SortedSet<string> Properties, List<string> Files) QueriedProperties()
    {
        var properties = new SortedSet<string>(StringComparer.Ordinal);
        var files = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(BicepCli.RepositoryRoot, "src", "Billing.Cosmos"), "*.cs", SearchOption.AllDirectories))
        {
            var found = false;
            foreach (var literal in CSharpStringLiterals.Of(File.ReadAllText(file)))
            {
                var text = literal.TrimStart();
                if (text.StartsWith("FROM c ", StringComparison.Ordinal))
                {
                    continue; // a conditional patch's filter predicate
                }

                // Read as written: the alias c, no bracket access (c["renewsBy"] would escape the paths below).
                Assert.False(text.Contains(" FROM ", StringComparison.Ordinal) && !text.Contains(" FROM c", StringComparison.Ordinal), $"{file}: a query with another alias than c: {text}");
                Assert.DoesNotMatch(@"\bc\[", text);

                foreach (RegexMatch property in Regex.Matches(text, @"\bc\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"))
                {
                    properties.Add(property.Groups[1].Value);
                    found = true;
                }
            }

            if (found)
            {
                files.Add(file);
            }
        }

        return (properties, files);
    }

    [Fact]
    public async Task The_stored_procedures_are_the_ones_the_provisioner_registers_on_the_accounts_container()
    {
        var (_, _, procedures) = await WhatTheProvisionerCreatesAsync();

        var deployed = template.OfType("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/storedProcedures").ToList();
        Assert.Equal(["allocate-v3", "recordUsage-v5"], procedures.Select(p => p.Procedure.Id).Order(StringComparer.Ordinal));
        Assert.Equal(procedures.Count, deployed.Count);
        foreach (var (container, wanted) in procedures)
        {
            Assert.Equal("accounts", container);
            var resource = Assert.Single(deployed, d => (string?)d["properties"]!["resource"]!["id"] == wanted.Id);
            Assert.EndsWith("/accounts/" + wanted.Id, (string)resource["name"]!, StringComparison.Ordinal);
            Assert.Equal(wanted.Body, (string?)resource["properties"]!["resource"]!["body"]);
        }
    }

    /// <summary>
    /// A logical partition holds at most 20 GB (data and index); past that every write into it fails with 403, substatus
    /// 1014. An account's partition holds its usage keys (about 0.8 KB each, kept KeyRetention: 45 days), so a customer
    /// recording some 15 million usage records a month reaches it, and with it the account's invoice runs, credits and
    /// Stripe updates fail too. Cosmos DB reports the largest logical partitions only in its PartitionKeyStatistics
    /// resource log: the template sends it to the workspace and alerts well before the limit.
    /// </summary>
    [Fact]
    public void A_logical_partition_growing_towards_the_20_GB_limit_alerts_the_operator()
    {
        var workspace = (string)template.OneOf("Microsoft.OperationalInsights/workspaces")["id"]!;
        var cosmos = (string)template.OneOf("Microsoft.DocumentDB/databaseAccounts")["id"]!;

        var setting = Assert.Single(template.OfType("Microsoft.Insights/diagnosticSettings"), d => ((string?)d["scope"] ?? (string)d["id"]!).StartsWith(cosmos, StringComparison.Ordinal));
        Assert.Equal(workspace, (string?)setting["properties"]!["workspaceId"]);
        Assert.Equal("Dedicated", (string?)setting["properties"]!["logAnalyticsDestinationType"]); // the CDBPartitionKeyStatistics table
        Assert.Equal(["PartitionKeyStatistics"], setting["properties"]!["logs"]!.AsArray().Where(l => (bool)l!["enabled"]!).Select(l => (string)l!["category"]!));

        var rule = Assert.Single(template.OfType("Microsoft.Insights/scheduledQueryRules"), r => ((string)r["properties"]!["criteria"]!["allOf"]![0]!["query"]!).Contains("CDBPartitionKeyStatistics", StringComparison.Ordinal));
        Assert.Equal([workspace], rule["properties"]!["scopes"]!.AsArray().Select(s => (string)s!));
        var criterion = rule["properties"]!["criteria"]!["allOf"]![0]!;
        Assert.Equal("SizeGb", (string?)criterion["metricMeasureColumn"]);
        Assert.Equal("GreaterThan", (string?)criterion["operator"]);
        Assert.InRange((double)criterion["threshold"]!, 5, 18);
        Assert.Equal([(string)template.OneOf("Microsoft.Insights/actionGroups")["id"]!], rule["properties"]!["actions"]!["actionGroups"]!.AsArray().Select(s => (string)s!));
    }

    [Fact]
    public void Local_auth_is_off_and_the_account_is_serverless_by_default()
    {
        var properties = template.OneOf("Microsoft.DocumentDB/databaseAccounts")["properties"]!;

        Assert.Equal(true, (bool?)properties["disableLocalAuth"]);
        Assert.Equal(true, (bool?)properties["disableKeyBasedMetadataWriteAccess"]);
        Assert.Equal("Tls12", (string?)properties["minimalTlsVersion"]);
        Assert.Equal(["EnableServerless"], properties["capabilities"]!.AsArray().Select(c => (string)c!["name"]!));
        Assert.Empty(template.OneOf("Microsoft.DocumentDB/databaseAccounts/sqlDatabases")["properties"]!["options"]!.AsObject());
    }

    /// <summary>Runs the real <see cref="CosmosProvisioner"/> against a client that records what it is asked to create.</summary>
    private static async Task<(string Database, List<ContainerProperties> Containers, List<(string Container, StoredProcedureProperties Procedure)> Procedures)> WhatTheProvisionerCreatesAsync()
    {
        var containers = new List<ContainerProperties>();
        var procedures = new List<(string, StoredProcedureProperties)>();
        var database = new Mock<Database>();
        database.Setup(d => d.GetContainer(It.IsAny<string>())).Returns((string name) => Recording(name, procedures));
        database.Setup(d => d.CreateContainerIfNotExistsAsync(It.IsAny<ContainerProperties>(), It.IsAny<int?>(), It.IsAny<RequestOptions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((ContainerProperties p, int? _, RequestOptions _, CancellationToken _) => Created(p, containers));
        database.Setup(d => d.CreateContainerIfNotExistsAsync(It.IsAny<ContainerProperties>(), It.IsAny<ThroughputProperties>(), It.IsAny<RequestOptions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((ContainerProperties p, ThroughputProperties _, RequestOptions _, CancellationToken _) => Created(p, containers));
        var databaseResponse = new Mock<DatabaseResponse>();
        databaseResponse.Setup(r => r.Database).Returns(database.Object);

        string? databaseName = null;
        var client = new Mock<CosmosClient>();
        client.Setup(c => c.CreateDatabaseIfNotExistsAsync(It.IsAny<string>(), It.IsAny<int?>(), It.IsAny<RequestOptions>(), It.IsAny<CancellationToken>()))
            .Callback((string id, int? _, RequestOptions _, CancellationToken _) => databaseName = id)
            .ReturnsAsync(databaseResponse.Object);
        client.Setup(c => c.CreateDatabaseIfNotExistsAsync(It.IsAny<string>(), It.IsAny<ThroughputProperties>(), It.IsAny<RequestOptions>(), It.IsAny<CancellationToken>()))
            .Callback((string id, ThroughputProperties _, RequestOptions _, CancellationToken _) => databaseName = id)
            .ReturnsAsync(databaseResponse.Object);

        var provisioner = new CosmosProvisioner(client.Object, Options.Create(new CosmosOptions()), NullLogger<CosmosProvisioner>.Instance);
        await provisioner.ProvisionAsync(CancellationToken.None);

        Assert.NotNull(databaseName);
        Assert.NotEmpty(containers);
        return (databaseName, containers, procedures);
    }

    private static Container Recording(string container, List<(string, StoredProcedureProperties)> procedures)
    {
        var scripts = new Mock<Scripts>();
        scripts.Setup(s => s.CreateStoredProcedureAsync(It.IsAny<StoredProcedureProperties>(), It.IsAny<RequestOptions>(), It.IsAny<CancellationToken>()))
            .Callback((StoredProcedureProperties p, RequestOptions _, CancellationToken _) => procedures.Add((container, p)))
            .ReturnsAsync(new Mock<StoredProcedureResponse>().Object);
        var mock = new Mock<Container>();
        mock.Setup(c => c.Scripts).Returns(scripts.Object);
        return mock.Object;
    }

    private static ContainerResponse Created(ContainerProperties properties, List<ContainerProperties> created)
    {
        created.Add(properties);
        var response = new Mock<ContainerResponse>();
        response.Setup(r => r.Resource).Returns(properties);
        return response.Object;
    }
}
