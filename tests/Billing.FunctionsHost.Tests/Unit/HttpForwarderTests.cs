using System.Text.RegularExpressions;
using Billing.FunctionsHost.Http;
using Microsoft.AspNetCore.Http;

namespace Billing.FunctionsHost.Tests.Unit;

public sealed class HttpForwarderTests
{
    private static readonly Uri WorkerUri = new("http://localhost:7301/");

    // Each path as Kestrel hands it to the host: decoded, except that an encoded '/' stays "%2F".
    [Theory]
    [InlineData("/api/allocations/projects/x%41")] // sent as x%2541
    [InlineData("/api/items/%2541")]
    [InlineData("/api/items/100%")]
    [InlineData("/api/items/%")]
    [InlineData("/api/items/%zz")]
    [InlineData("/api/items/a%2Fb")] // sent as a%2Fb
    [InlineData("/api/items/a b")]
    [InlineData("/api/items/café/😀")]
    [InlineData("/api/items/a?b#c[d]\\e")]
    [InlineData("/api/items/!$&'()*+,;=:@~-._")]
    [InlineData("/")]
    public void The_worker_decodes_the_path_this_host_decoded(string hostPath)
    {
        var uri = HttpForwarder.WorkerAddress(WorkerUri, Request(hostPath, ""));

        Assert.Equal("localhost:7301", uri.Authority);
        Assert.Equal(hostPath, DecodeLikeKestrel(uri.AbsolutePath));
    }

    [Theory]
    [InlineData("?accountId=acc_1")]
    [InlineData("?q=a%2Bb&x=%25&y=%2541&z=caf%C3%A9")]
    [InlineData("")]
    public void The_query_is_forwarded_as_received(string query)
    {
        var uri = HttpForwarder.WorkerAddress(WorkerUri, Request("/api/items/1", query));

        Assert.Equal(query, uri.Query);
    }

    private static HttpRequest Request(string path, string query)
    {
        var request = new DefaultHttpContext().Request;
        request.Path = new PathString(path);
        request.QueryString = new QueryString(query);
        return request;
    }

    // Kestrel decodes every %XX (as UTF-8) except %2F, which it keeps so that an encoded '/' stays inside its segment.
    private static string DecodeLikeKestrel(string rawPath) =>
        Uri.UnescapeDataString(Regex.Replace(rawPath, "%2F", "%252F", RegexOptions.IgnoreCase));
}
