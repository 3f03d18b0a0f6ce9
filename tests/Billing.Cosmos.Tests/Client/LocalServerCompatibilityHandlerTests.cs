using Billing.Cosmos.Client;

namespace Billing.Cosmos.Tests.Client;

public sealed class LocalServerCompatibilityHandlerTests
{
    [Theory]
    [InlineData("GET", "https://127.0.0.1:8081/dbs/billing/colls/accounts/docs/account:u1", true)]
    [InlineData("GET", "https://127.0.0.1:8081/dbs/billing/colls/accounts", false)]
    [InlineData("GET", "https://127.0.0.1:8081/dbs/billing/colls/accounts/docs", false)]
    [InlineData("POST", "https://127.0.0.1:8081/dbs/billing/colls/accounts/docs", false)]
    [InlineData("PUT", "https://127.0.0.1:8081/dbs/billing/colls/accounts/docs/account:u1", false)]
    public async Task Marks_only_point_reads_of_documents(string method, string uri, bool marked)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), uri);
        using var recorder = new RecordingHandler();
        using var invoker = new HttpMessageInvoker(new LocalServerCompatibilityHandler(recorder));

        (await invoker.SendAsync(request, CancellationToken.None)).Dispose();

        Assert.Equal(marked, recorder.Last!.Headers.Contains(LocalServerCompatibilityHandler.CrossPartitionHeader));
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public HttpRequestMessage? Last { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Last = request;
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
