using System.Net;
using Billing.FunctionApp.Functions.Benchmarking;
using Billing.FunctionApp.Hosting.CustomHandler;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Billing.FunctionApp.Tests.Benchmarking;

/// <summary>The benchmark-only bare endpoint on a minimal in-process server: mapped only when asked for, and then it reads
/// the whole body and answers 200.</summary>
public sealed class BareEndpointTests
{
    private static readonly Uri BarePath = new(BareEndpoint.Path, UriKind.Relative);

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    public async Task Without_the_setting_the_endpoint_does_not_exist(string? setting)
    {
        await using var server = await StartAsync(new() { [BareEndpoint.EnabledSetting] = setting });

        using var response = await server.Http.PostAsync(BarePath, new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task When_enabled_it_reads_the_whole_body_and_answers_200()
    {
        await using var server = await StartAsync(new() { [BareEndpoint.EnabledSetting] = "true" });
        var body = new byte[1024 * 1024];
        Random.Shared.NextBytes(body);

        using var response = await server.Http.PostAsync(BarePath, new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task When_enabled_it_answers_POST_only()
    {
        await using var server = await StartAsync(new() { [BareEndpoint.EnabledSetting] = "true" });

        using var response = await server.Http.GetAsync(BarePath);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Under_the_Functions_host_it_does_not_exist_even_when_enabled()
    {
        await using var server = await StartAsync(new()
        {
            [BareEndpoint.EnabledSetting] = "true",
            [CustomHandlerEnvironment.PortVariable] = "7071",
        });

        using var response = await server.Http.PostAsync(BarePath, new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<InProcessServer> StartAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapBenchmarkEndpoints();
        await app.StartAsync();
        return new InProcessServer(app);
    }

    private sealed class InProcessServer(WebApplication app) : IAsyncDisposable
    {
        public HttpClient Http { get; } = new() { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(30) };

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
