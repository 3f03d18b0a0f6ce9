using System.Net;
using Billing.FunctionApp.Functions.Benchmarking;
using Billing.TestSupport;

namespace Billing.FunctionApp.Tests.Benchmarking;

/// <summary>The real server process against the emulators: the bare endpoint is absent as the app is normally configured
/// and present when <c>Benchmarks__BareEndpoint=true</c>, as the ingest benchmark starts it.</summary>
public sealed class BareEndpointWiringTests
{
    private static readonly Uri BarePath = new(BareEndpoint.Path, UriKind.Relative);

    [Fact]
    public async Task The_function_app_has_no_bare_endpoint_by_default()
    {
        var emulators = await LocalEmulators.GetAsync();
        await using var app = await FunctionAppProcess.StartAsync(FunctionAppSettings.ForEmulators(emulators));

        using var root = await app.Http.GetAsync(new Uri("/", UriKind.Relative));
        using var response = await app.Http.PostAsync(BarePath, new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_function_app_maps_the_bare_endpoint_when_the_setting_is_true()
    {
        var emulators = await LocalEmulators.GetAsync();
        var settings = FunctionAppSettings.ForEmulators(emulators);
        settings["Benchmarks__BareEndpoint"] = "true";
        await using var app = await FunctionAppProcess.StartAsync(settings);

        using var response = await app.Http.PostAsync(BarePath, new StringContent("""{"id":"evt_1","object":"event"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
