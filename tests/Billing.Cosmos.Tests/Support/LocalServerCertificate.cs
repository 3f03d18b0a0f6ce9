using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Billing.TestSupport;

namespace Billing.Cosmos.Tests.Support;

/// <summary>The local Cosmos server's certificate, for a test's own HTTP client to its non-SDK routes.</summary>
internal static class LocalServerCertificate
{
    /// <summary>The server's own self-signed certificate (the package's cert.pem), and no other.</summary>
    public static bool Accept(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        using var expected = X509Certificate2.CreateFromPem(
            File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "node_modules", "@vercel", "cosmosdb-server", "cert.pem")));
        return certificate is not null && certificate.GetCertHash().AsSpan().SequenceEqual(expected.GetCertHash());
    }
}
