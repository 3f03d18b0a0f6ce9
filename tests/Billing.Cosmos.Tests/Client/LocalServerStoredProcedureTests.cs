using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.Cosmos.Documents;
using Billing.Cosmos.Tests.Support;
using Billing.TestSupport;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Cosmos.Scripts;

namespace Billing.Cosmos.Tests.Client;

/// <summary>
/// Stored procedures on the local server (scripts/local-cosmos/server.js), through the product's client: the
/// resource's life cycle, the server-side API's outcomes as Cosmos DB reports them, all-or-nothing writes scoped to
/// the request's partition key, and documents a script writes behaving like any other. Also that the launcher keeps
/// connections open, as Cosmos DB does.
/// </summary>
public sealed class LocalServerStoredProcedureTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private readonly Container _container = fixture.Containers.Accounts;

    private Scripts Scripts => _container.Scripts;

    [Fact]
    public async Task A_stored_procedure_is_created_once_replaced_read_listed_and_deleted()
    {
        var id = NewId("life");

        var created = await Scripts.CreateStoredProcedureAsync(new StoredProcedureProperties(id, "function () { getContext().getResponse().setBody(1); }"));
        var duplicate = await Assert.ThrowsAsync<CosmosException>(() =>
            Scripts.CreateStoredProcedureAsync(new StoredProcedureProperties(id, "function () {}")));
        var replaced = await Scripts.ReplaceStoredProcedureAsync(new StoredProcedureProperties(id, "function () { getContext().getResponse().setBody(2); }"));
        var read = await Scripts.ReadStoredProcedureAsync(id);
        var listed = await ListAsync();
        var result = await Scripts.ExecuteStoredProcedureAsync<int>(id, new PartitionKey("any"), []);
        await Scripts.DeleteStoredProcedureAsync(id);
        var afterDelete = await Assert.ThrowsAsync<CosmosException>(() => Scripts.ReadStoredProcedureAsync(id));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.False(string.IsNullOrEmpty(created.Resource.ETag));
        Assert.False(string.IsNullOrEmpty(created.Resource.SelfLink));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.NotEqual(created.Resource.ETag, replaced.Resource.ETag);
        Assert.Contains("setBody(2)", read.Resource.Body, StringComparison.Ordinal);
        Assert.Contains(id, listed);
        Assert.Equal(2, result.Resource);
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
        Assert.DoesNotContain(id, await ListAsync());
    }

    [Fact]
    public async Task Execution_returns_the_body_the_script_set_from_its_parameters_and_partition()
    {
        var id = await CreateAsync("echo", """
            function echo(name, count) {
                var collection = getContext().getCollection();
                getContext().getResponse().setBody({ greeting: "hello " + name, twice: count * 2, link: collection.getAltLink(), args: getContext().getRequest().getBody().length });
            }
            """);

        var response = await Scripts.ExecuteStoredProcedureAsync<JsonElement>(id, new PartitionKey(NewAccount()), ["ada", 21]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello ada", response.Resource.GetProperty("greeting").GetString());
        Assert.Equal(42, response.Resource.GetProperty("twice").GetInt32());
        Assert.Equal($"dbs/{fixture.DatabaseName}/colls/{_container.Id}", response.Resource.GetProperty("link").GetString());
        Assert.Equal(2, response.Resource.GetProperty("args").GetInt32());
    }

    [Fact]
    public async Task A_read_of_a_missing_document_gives_the_callback_err_number_404()
    {
        var id = await CreateAsync("read-missing", """
            function (docId) {
                var collection = getContext().getCollection();
                var accepted = collection.readDocument(collection.getAltLink() + "/docs/" + docId, function (err, doc) {
                    getContext().getResponse().setBody({ number: err.number, found: doc !== undefined });
                });
                if (!accepted) throw new Error("not accepted");
            }
            """);

        var response = await Scripts.ExecuteStoredProcedureAsync<JsonElement>(id, new PartitionKey(NewAccount()), ["nothing-here"]);

        Assert.Equal(404, response.Resource.GetProperty("number").GetInt32());
        Assert.False(response.Resource.GetProperty("found").GetBoolean());
    }

    [Fact]
    public async Task A_create_of_an_existing_id_gives_the_callback_err_number_409_and_keeps_the_first()
    {
        var account = NewAccount();
        var docId = NewId("doc");
        await _container.CreateItemAsync(Doc(docId, account, 1), new PartitionKey(account));
        var id = await CreateAsync("create-twice", """
            function (docId, accountId) {
                var collection = getContext().getCollection();
                collection.createDocument(collection.getSelfLink(), { id: docId, accountId: accountId, n: 99 }, function (err) {
                    getContext().getResponse().setBody(err.number);
                });
            }
            """);

        var response = await Scripts.ExecuteStoredProcedureAsync<int>(id, new PartitionKey(account), [docId, account]);

        Assert.Equal(409, response.Resource);
        Assert.Equal(1, (await ReadAsync(docId, account))!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_replace_with_a_stale_etag_gives_the_callback_err_number_412_and_the_current_etag_succeeds()
    {
        var account = NewAccount();
        var docId = NewId("doc");
        await _container.CreateItemAsync(Doc(docId, account, 1), new PartitionKey(account));
        var id = await CreateAsync("replace-etag", """
            function (docId) {
                var collection = getContext().getCollection();
                var response = getContext().getResponse();
                collection.readDocument("/" + collection.getAltLink() + "/docs/" + docId, function (err, doc) {
                    if (err) throw err;
                    doc.n += 1;
                    collection.replaceDocument(doc._self, doc, { etag: "stale" }, function (stale) {
                        collection.replaceDocument(doc._self, doc, { etag: doc._etag }, function (err2, replaced) {
                            if (err2) throw err2;
                            response.setBody({ stale: stale.number, n: replaced.n, etagChanged: replaced._etag !== doc._etag });
                        });
                    });
                });
            }
            """);

        var response = await Scripts.ExecuteStoredProcedureAsync<JsonElement>(id, new PartitionKey(account), [docId]);

        Assert.Equal(412, response.Resource.GetProperty("stale").GetInt32());
        Assert.Equal(2, response.Resource.GetProperty("n").GetInt32());
        Assert.True(response.Resource.GetProperty("etagChanged").GetBoolean());
        Assert.Equal(2, (await ReadAsync(docId, account))!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_script_that_writes_two_documents_then_throws_leaves_neither_and_the_client_sees_400_with_its_message()
    {
        var account = NewAccount();
        var first = NewId("first");
        var second = NewId("second");
        var existing = NewId("existing");
        await _container.CreateItemAsync(Doc(existing, account, 1), new PartitionKey(account));
        var id = await CreateAsync("write-then-throw", """
            function (accountId, first, second, existing) {
                var collection = getContext().getCollection();
                collection.createDocument(collection.getSelfLink(), { id: first, accountId: accountId }, function (err) {
                    if (err) throw err;
                    collection.upsertDocument(collection.getSelfLink(), { id: second, accountId: accountId }, function (err2) {
                        if (err2) throw err2;
                        collection.deleteDocument(collection.getAltLink() + "/docs/" + existing, function (err3) {
                            if (err3) throw err3;
                            throw new Error("limit reached after two writes");
                        });
                    });
                });
            }
            """);

        var failure = await Assert.ThrowsAsync<CosmosException>(() =>
            Scripts.ExecuteStoredProcedureAsync<JsonElement>(id, new PartitionKey(account), [account, first, second, existing]));

        Assert.Equal(HttpStatusCode.BadRequest, failure.StatusCode);
        Assert.Contains("Encountered exception while executing function. Exception = Error: limit reached after two writes", failure.Message, StringComparison.Ordinal);
        Assert.Null(await ReadAsync(first, account));
        Assert.Null(await ReadAsync(second, account));
        Assert.Equal(1, (await ReadAsync(existing, account))!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_failed_operation_without_a_callback_aborts_the_execution_and_rolls_back_earlier_writes()
    {
        var account = NewAccount();
        var written = NewId("written");
        var existing = NewId("existing");
        await _container.CreateItemAsync(Doc(existing, account, 1), new PartitionKey(account));
        var id = await CreateAsync("no-callback", """
            function (accountId, written, existing) {
                var collection = getContext().getCollection();
                collection.createDocument(collection.getSelfLink(), { id: written, accountId: accountId });
                collection.createDocument(collection.getSelfLink(), { id: existing, accountId: accountId });
                getContext().getResponse().setBody("finished");
            }
            """);

        var failure = await Assert.ThrowsAsync<CosmosException>(() =>
            Scripts.ExecuteStoredProcedureAsync<string>(id, new PartitionKey(account), [account, written, existing]));

        Assert.Equal(HttpStatusCode.BadRequest, failure.StatusCode);
        Assert.Null(await ReadAsync(written, account));
    }

    [Fact]
    public async Task A_script_touching_another_partitions_document_fails_and_writes_nothing()
    {
        var account = NewAccount();
        var other = NewAccount();
        var otherDoc = NewId("other");
        var mine = NewId("mine");
        var stored = await _container.CreateItemAsync(Doc(otherDoc, other, 1), new PartitionKey(other));
        var otherSelfLink = stored.Resource["_self"]!.GetValue<string>();
        var id = await CreateAsync("cross-partition", """
            function (mode, accountId, mine, otherAccount, otherLink) {
                var collection = getContext().getCollection();
                collection.createDocument(collection.getSelfLink(), { id: mine, accountId: accountId }, function (err) {
                    if (err) throw err;
                    if (mode === "read") {
                        collection.readDocument(otherLink, function (err2) { if (err2) throw err2; });
                    } else {
                        collection.createDocument(collection.getSelfLink(), { id: "x-" + mine, accountId: otherAccount }, function (err2) { if (err2) throw err2; });
                    }
                });
            }
            """);

        var read = await Assert.ThrowsAsync<CosmosException>(() =>
            Scripts.ExecuteStoredProcedureAsync<JsonElement>(id, new PartitionKey(account), ["read", account, mine, other, otherSelfLink]));
        var write = await Assert.ThrowsAsync<CosmosException>(() =>
            Scripts.ExecuteStoredProcedureAsync<JsonElement>(id, new PartitionKey(account), ["write", account, mine, other, otherSelfLink]));

        Assert.Equal(HttpStatusCode.BadRequest, read.StatusCode);
        Assert.Contains("cannot reference partition keys other than the one", read.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, write.StatusCode);
        Assert.Null(await ReadAsync(mine, account));
        Assert.Null(await ReadAsync("x-" + mine, other));
    }

    [Fact]
    public async Task Documents_written_by_a_script_are_readable_patchable_and_queryable_over_the_sdk()
    {
        var account = NewAccount();
        var docId = NewId("written");
        var id = await CreateAsync("write", """
            function (docId, accountId) {
                var collection = getContext().getCollection();
                collection.createDocument(collection.getSelfLink(), { id: docId, accountId: accountId, type: "sproc-test", n: 1 }, function (err, doc) {
                    if (err) throw err;
                    collection.patchDocument(doc._self, [{ op: "incr", path: "/n", value: 2 }], function (err2, patched) {
                        if (err2) throw err2;
                        getContext().getResponse().setBody(patched);
                    });
                });
            }
            """);

        var written = await Scripts.ExecuteStoredProcedureAsync<JsonObject>(id, new PartitionKey(account), [docId, account]);
        var read = await _container.ReadItemAsync<JsonObject>(docId, new PartitionKey(account));
        var patched = await _container.PatchItemAsync<JsonObject>(docId, new PartitionKey(account), [PatchOperation.Increment("/n", 10)]);
        var query = new QueryDefinition("SELECT * FROM c WHERE c.accountId = @account AND c.type = 'sproc-test'").WithParameter("@account", account);
        var found = new List<JsonObject>();
        using (var feed = _container.GetItemQueryIterator<JsonObject>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(account) }))
        {
            while (feed.HasMoreResults)
            {
                found.AddRange(await feed.ReadNextAsync());
            }
        }

        Assert.Equal(3, written.Resource["n"]!.GetValue<int>());
        Assert.Equal(written.Resource["_etag"]!.GetValue<string>(), read.ETag);
        Assert.Equal(written.Resource["_self"]!.GetValue<string>(), read.Resource["_self"]!.GetValue<string>());
        Assert.Equal(13, patched.Resource["n"]!.GetValue<int>());
        Assert.Equal([docId], found.Select(d => d["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Concurrent_executions_do_not_interleave_claim_check_and_increment_stay_exact()
    {
        var account = NewAccount();
        var counterId = NewId("counter");
        var id = await CreateAsync("record-usage", """
            function (accountId, counterId, key, limit) {
                var collection = getContext().getCollection();
                var response = getContext().getResponse();
                collection.createDocument(collection.getSelfLink(), { id: "key-" + key, accountId: accountId }, function (claimErr) {
                    if (claimErr && claimErr.number === ErrorCodes.Conflict) { response.setBody("duplicate"); return; }
                    if (claimErr) throw claimErr;
                    collection.readDocument(collection.getAltLink() + "/docs/" + counterId, function (err, counter) {
                        if (err && err.number !== 404) throw err;
                        var count = counter ? counter.count : 0;
                        if (count >= limit) throw new Error("hard limit reached");
                        var next = { id: counterId, accountId: accountId, count: count + 1 };
                        var done = function (writeErr) { if (writeErr) throw writeErr; response.setBody("recorded"); };
                        if (counter) collection.replaceDocument(counter._self, next, { etag: counter._etag }, done);
                        else collection.createDocument(collection.getSelfLink(), next, done);
                    });
                });
            }
            """);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            try
            {
                return (await Scripts.ExecuteStoredProcedureAsync<string>(id, new PartitionKey(account), [account, counterId, $"k{i % 20}", 15])).Resource;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.BadRequest && e.Message.Contains("hard limit reached", StringComparison.Ordinal))
            {
                return "refused";
            }
        }));

        Assert.Equal(15, outcomes.Count(o => o == "recorded"));
        Assert.Equal(15, (await ReadAsync(counterId, account))!["count"]!.GetValue<int>());
        var keys = (await RawDocuments.ReadAllAsync(_container)).Count(d => d.GetProperty("accountId").GetString() == account && d.GetProperty("id").GetString()!.StartsWith("key-", StringComparison.Ordinal));
        Assert.Equal(15, keys);
    }

    [Fact]
    public async Task The_server_keeps_one_connection_open_across_requests_to_the_package_routes_and_the_procedure_routes()
    {
        var endpoint = LocalServerHttp.Endpoint(fixture.ConnectionString);
        var connects = 0;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = LocalServerHttp.Accept },
            ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref connects);
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = endpoint };
        string[] paths = ["", $"dbs/{fixture.DatabaseName}/colls/{fixture.Options.AccountsContainerName}/sprocs", $"dbs/{fixture.DatabaseName}", $"dbs/{fixture.DatabaseName}/colls/{fixture.Options.AccountsContainerName}/sprocs"];

        foreach (var path in paths)
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.IsSuccessStatusCode, $"GET /{path}: {(int)response.StatusCode}");
            Assert.NotEqual(true, response.Headers.ConnectionClose);
        }

        Assert.Equal(1, connects);
    }

    [Fact]
    public async Task A_promise_based_script_completes_inside_its_execution()
    {
        var account = NewAccount();
        var docId = NewId("async");
        var id = await CreateAsync("async", """
            async function (docId, accountId) {
                var collection = getContext().getCollection();
                var create = function (doc) {
                    return new Promise(function (resolve, reject) {
                        collection.createDocument(collection.getSelfLink(), doc, function (err, created) { if (err) reject(err); else resolve(created); });
                    });
                };
                var created = await create({ id: docId, accountId: accountId, n: 5 });
                getContext().getResponse().setBody(created.n);
            }
            """);

        var response = await Scripts.ExecuteStoredProcedureAsync<int>(id, new PartitionKey(account), [docId, account]);

        Assert.Equal(5, response.Resource);
        Assert.NotNull(await ReadAsync(docId, account));
    }

    [Fact]
    public async Task Console_output_is_returned_as_the_script_log_only_when_logging_is_enabled()
    {
        var id = await CreateAsync("log", """function (name) { console.log("hello", name); console.log("done"); }""");

        var logged = await Scripts.ExecuteStoredProcedureAsync<JsonElement>(id, new PartitionKey(NewAccount()), ["ada"], new StoredProcedureRequestOptions { EnableScriptLogging = true });
        var quiet = await Scripts.ExecuteStoredProcedureAsync<JsonElement>(id, new PartitionKey(NewAccount()), ["ada"]);

        Assert.Equal("hello ada\ndone", logged.ScriptLog);
        Assert.True(string.IsNullOrEmpty(quiet.ScriptLog));
    }

    [Fact]
    public async Task A_script_still_running_past_its_bounded_time_is_ended_with_408_and_nothing_it_wrote_is_kept()
    {
        await using var server = await StartTimeLimitedAsync(timeLimitMs: 200);
        var account = NewAccount();
        var docId = NewId("endless");
        await server.Accounts.Scripts.CreateStoredProcedureAsync(new StoredProcedureProperties("endless", """
            function (docId, accountId) {
                var collection = getContext().getCollection();
                collection.createDocument(collection.getSelfLink(), { id: docId, accountId: accountId }, function (err) {
                    if (err) throw err;
                    while (true) { }
                });
            }
            """));

        var ended = await Assert.ThrowsAsync<CosmosException>(() => server.Accounts.Scripts.ExecuteStoredProcedureAsync<JsonElement>("endless", new PartitionKey(account), [docId, account]));

        Assert.Equal(HttpStatusCode.RequestTimeout, ended.StatusCode);
        Assert.Contains("200 ms", ended.Message, StringComparison.Ordinal);
        Assert.Null(await RawDocuments.ReadAsync(server.Accounts, docId, account));
        var after = await server.Accounts.CreateItemAsync(Doc(NewId("after"), account, 1), new PartitionKey(account));
        Assert.Equal(HttpStatusCode.Created, after.StatusCode); // the server goes on serving
    }

    [Fact]
    public async Task Once_its_time_is_up_a_scripts_operations_are_not_accepted_and_it_can_answer_with_what_it_did()
    {
        await using var server = await StartTimeLimitedAsync(timeLimitMs: 200);
        var account = NewAccount();
        await server.Accounts.Scripts.CreateStoredProcedureAsync(new StoredProcedureProperties("bulk", """
            function (accountId) {
                var collection = getContext().getCollection();
                var count = 0;
                next();
                function next() {
                    var accepted = collection.createDocument(collection.getSelfLink(), { id: "bulk-" + count, accountId: accountId }, function (err) {
                        if (err) throw err;
                        count++;
                        next();
                    });
                    if (!accepted) getContext().getResponse().setBody(count);
                }
            }
            """));

        var response = await server.Accounts.Scripts.ExecuteStoredProcedureAsync<int>("bulk", new PartitionKey(account), [account]);

        Assert.True(response.Resource > 0, $"created {response.Resource}");
        Assert.NotNull(await RawDocuments.ReadAsync(server.Accounts, "bulk-0", account));
        Assert.NotNull(await RawDocuments.ReadAsync(server.Accounts, $"bulk-{response.Resource - 1}", account));
        Assert.Null(await RawDocuments.ReadAsync(server.Accounts, $"bulk-{response.Resource}", account));
    }

    [Fact]
    public async Task The_shared_server_takes_no_planned_concurrent_writes()
    {
        // Only a server started with --test-concurrent-writes (ConcurrentWriterServer) does: not the test command's, nor run-local.sh's.
        using var http = LocalServerHttp.Client(fixture.ConnectionString);
        var account = NewAccount();

        using var response = await http.PostAsJsonAsync(
            new Uri("_test/concurrent-writes", UriKind.Relative),
            new { database = fixture.DatabaseName, collection = fixture.Options.AccountsContainerName, partitionKey = account, beforeWriteOf = "x", documents = Array.Empty<object>() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>A server of the test's own with a short script time limit (the shared one keeps Cosmos DB's 5 s).</summary>
    private static Task<OwnCosmosServer> StartTimeLimitedAsync(int timeLimitMs) =>
        OwnCosmosServer.StartAsync("billing-limit-test", "--script-time-limit-ms", timeLimitMs.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string NewAccount() => "sproc-" + Guid.NewGuid().ToString("N");

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static JsonObject Doc(string id, string account, int n) => new() { ["id"] = id, ["accountId"] = account, ["n"] = n };

    private async Task<string> CreateAsync(string name, string body)
    {
        var id = NewId(name);
        await Scripts.CreateStoredProcedureAsync(new StoredProcedureProperties(id, body));
        return id;
    }

    private Task<JsonObject?> ReadAsync(string id, string account) => RawDocuments.ReadAsync(_container, id, account);

    private async Task<List<string>> ListAsync()
    {
        var ids = new List<string>();
        using var feed = Scripts.GetStoredProcedureQueryIterator<StoredProcedureProperties>();
        while (feed.HasMoreResults)
        {
            ids.AddRange((await feed.ReadNextAsync()).Select(p => p.Id));
        }

        return ids;
    }
}
