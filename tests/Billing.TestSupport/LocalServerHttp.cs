using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Billing.TestSupport;

/// <summary>A test's own HTTP access to the local Cosmos server, beside the SDK (its connections, its test-only routes).</summary>
public static class LocalServerHttp
{
    /// <summary>The server's address in a connection string (<c>AccountEndpoint=...</c>).</summary>
    public static Uri Endpoint(string connectionString) =>
        new(connectionString.Split(';').Single(p => p.StartsWith("AccountEndpoint=", StringComparison.Ordinal))["AccountEndpoint=".Length..]);

    /// <summary>A client of the server at <paramref name="connectionString"/> that trusts its certificate only.</summary>
    public static HttpClient Client(string connectionString) =>
#pragma warning disable CA2000 // The client owns and disposes its handler.
        new(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = Accept } }) { BaseAddress = Endpoint(connectionString) };
#pragma warning restore CA2000

    /// <summary>The server's own self-signed certificate (the package's cert.pem), and no other.</summary>
    public static bool Accept(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        using var expected = X509Certificate2.CreateFromPem(
            File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "node_modules", "@vercel", "cosmosdb-server", "cert.pem")));
        return certificate is not null && certificate.GetCertHash().AsSpan().SequenceEqual(expected.GetCertHash());
    }

    /// <summary>
    /// On a server started with <c>--test-concurrent-writes</c> (script-runtime.js): just before the next stored procedure
    /// execution on <paramref name="partitionKey"/> writes <paramref name="beforeWriteOf"/>, another writer's
    /// <paramref name="documents"/> are committed and <paramref name="deletes"/> deleted, once; with
    /// <paramref name="timeUp"/> that execution's time ends there instead (the write and every later one not accepted).
    /// </summary>
    public static async Task PlanConcurrentWriteAsync(
        this HttpClient server, string database, string collection, string partitionKey, string beforeWriteOf, IReadOnlyList<JsonObject> documents, IReadOnlyList<string> deletes, bool timeUp)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var response = await server.PostAsJsonAsync(
            new Uri("_test/concurrent-writes", UriKind.Relative),
            new { database, collection, partitionKey, beforeWriteOf, documents, deletes, timeUp });
        response.EnsureSuccessStatusCode();
    }
}
