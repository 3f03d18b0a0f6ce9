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
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), process); // this host's socket: not another server that took the port
        return new PageHostProcess(process, address);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
