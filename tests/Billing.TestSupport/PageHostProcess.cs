namespace Billing.TestSupport;

/// <summary>
/// The reference pages' host (src/Tools/Billing.PageHost) as a real process on a loopback port: serves src/Billing.Web,
/// points the pages at <c>apiBase</c> and signs in with the function app's development tokens.
/// </summary>
public sealed class PageHostProcess : IAsyncDisposable
{
    private PageHostProcess(ManagedProcess process, Uri baseAddress)
    {
        Process = process;
        BaseAddress = baseAddress;
    }

    public ManagedProcess Process { get; }

    /// <summary>E.g. <c>http://127.0.0.1:PORT/</c>: the pages' origin (allow it in the app's CORS).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The origin to allow in the function app's CORS and to return to from Checkout, before the host is started.</summary>
    public static Uri AddressFor(int port) => new($"http://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}/");

    public static async Task<PageHostProcess> StartAsync(Uri apiBase, int port)
    {
        ArgumentNullException.ThrowIfNull(apiBase);
        var address = AddressFor(port);
        var process = ManagedProcess.Start(
            "page-host",
            "dotnet",
            [
                RepoPaths.ProjectOutput("src/Tools/Billing.PageHost", "Billing.PageHost"),
                "--urls", address.ToString().TrimEnd('/'),
                "--PageHost:WebRoot", Path.Combine(RepoPaths.RepoRoot, "src", "Billing.Web"),
                "--PageHost:ApiBaseUrl", apiBase.ToString().TrimEnd('/'),
            ]);
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), process);
        await WaitUntilItIsThisHostAsync(process, address, apiBase);
        return new PageHostProcess(process, address);
    }

    /// <summary>
    /// A connection on the port proves only that something listens there: another test's server may have taken the port
    /// first (the pages' host then fails to bind and exits, and a CI run sent every page to that server). This host is the
    /// one whose <c>page-config.json</c> names <paramref name="apiBase"/>; a host that exited because the port was taken
    /// is a <see cref="PortTakenException"/>, so <see cref="FreePort.StartOnFreePortAsync{T}"/> tries another port.
    /// </summary>
    private static async Task WaitUntilItIsThisHostAsync(ManagedProcess process, Uri address, Uri apiBase)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        var expected = apiBase.ToString().TrimEnd('/');
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await process.DisposeAsync();
                throw FreePort.ExitedDuringStart($"{process.Name} exited before serving on {address}.", process.Output);
            }

            try
            {
                using var response = await http.GetAsync(new Uri("page-config.json", UriKind.Relative));
                if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains(expected, StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not serving yet
            }

            await Task.Delay(200);
        }

        await process.DisposeAsync();
        throw new TimeoutException($"{address} does not serve this pages' host's page-config.json (for {expected}) after 60s: another process holds the port.\n{process.Output}");
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
