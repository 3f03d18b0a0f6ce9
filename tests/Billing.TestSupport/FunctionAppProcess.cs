namespace Billing.TestSupport;

/// <summary>
/// The function app as it runs locally: the local Functions host (<c>src/Tools/Billing.FunctionsHost</c>) on a free
/// loopback port, driving the real isolated worker built from <c>src/Billing.FunctionApp</c> (or a published folder).
/// App settings reach the worker through the host's environment, as local.settings.json Values or Azure app settings do.
/// </summary>
public sealed class FunctionAppProcess : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    private FunctionAppProcess(ManagedProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient(new OpenApiValidatingHandler()) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    /// <summary>A client for the app; every answer under <c>/api/</c> is checked against the OpenAPI document on the way.</summary>
    public HttpClient Http { get; }

    /// <summary>The host's last 200 lines (with its worker's), for failure messages.</summary>
    public string Output => _process.Output;

    /// <summary>Whether any line kept of the host's output (not only the last 200) contains <paramref name="text"/>.</summary>
    public bool Logged(string text) => CountOutput(text) > 0;

    public ManagedProcess Process => _process;

    /// <summary>The worker's build output, the function app root the host runs.</summary>
    public static string BuildOutput => Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Billing.FunctionApp", "Billing.FunctionApp"))!;

    /// <summary>
    /// Runs <c>dotnet publish -c Release</c> on the function app with the project's own publish settings plus
    /// <paramref name="properties"/> (<c>-p:Name=Value</c>), into <paramref name="output"/>, its intermediate files under
    /// <paramref name="artifactsPath"/> (apart from the build the tests run). Throws with the publish output when it fails
    /// or outlasts <paramref name="timeout"/>.
    /// </summary>
    public static async Task PublishAsync(string output, string artifactsPath, TimeSpan timeout, params string[] properties)
    {
        await using var publish = ManagedProcess.Start(
            "dotnet-publish",
            "dotnet",
            ["publish", Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp"), "-c", "Release", "-o", output, "--artifacts-path", artifactsPath, .. properties, "-nologo"]);
        var outputAtExit = await publish.OutputAtExitAsync(timeout);
        if (!publish.HasExited)
        {
            throw new TimeoutException($"dotnet publish did not finish in {timeout.TotalMinutes:0} minutes:\n{outputAtExit}");
        }

        if (!File.Exists(Path.Combine(output, "functions.metadata")))
        {
            throw new InvalidOperationException("dotnet publish failed:\n" + outputAtExit);
        }
    }

    /// <summary>
    /// Starts the host over <paramref name="scriptRoot"/> (default: the worker's build output) and waits until it
    /// reports every function loaded. <c>AZURE_FUNCTIONS_ENVIRONMENT</c> defaults to Development, as with <c>func start</c>.
    /// </summary>
    /// <param name="stateDirectory">Where the host keeps timer schedule status (default: a new temporary folder).</param>
    /// <param name="corsOrigins">Origins the host answers CORS for, as <c>Host.CORS</c> in local.settings.json.</param>
    public static Task<FunctionAppProcess> StartAsync(IDictionary<string, string?> settings, string? scriptRoot = null, string? stateDirectory = null, string? corsOrigins = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return FreePort.StartOnFreePortAsync(port => StartAsync(port, settings, scriptRoot, stateDirectory, corsOrigins));
    }

    /// <summary>Starts the host on <paramref name="port"/>; a <see cref="PortTakenException"/> when another process holds it.</summary>
    internal static async Task<FunctionAppProcess> StartAsync(int port, IDictionary<string, string?> settings, string? scriptRoot = null, string? stateDirectory = null, string? corsOrigins = null)
    {
        var environment = new Dictionary<string, string?>(settings)
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = settings.TryGetValue("AZURE_FUNCTIONS_ENVIRONMENT", out var env) ? env : "Development",
        };
        var host = RepoPaths.ProjectOutput("src/Tools/Billing.FunctionsHost", "Billing.FunctionsHost");
        var state = stateDirectory ?? Directory.CreateTempSubdirectory("billing-host-").FullName;
        List<string> arguments = [host, "--script-root", scriptRoot ?? BuildOutput, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--state-dir", state];
        if (corsOrigins is not null)
        {
            arguments.AddRange(["--cors", corsOrigins]);
        }

        var process = ManagedProcess.Start("functions-host", "dotnet", arguments, environment);
        var app = new FunctionAppProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await app.WaitUntilRunningAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            await app.DisposeAsync(); // never leave a half-started host behind
            throw;
        }

        return app;
    }

    /// <summary>Waits until a line of the output contains <paramref name="text"/>; returns the number of such lines.</summary>
    public async Task<int> WaitForOutputAsync(string text, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var seen = CountOutput(text);
            if (seen >= count)
            {
                return seen;
            }

            if (_process.HasExited)
            {
                var output = await _process.OutputAtExitAsync(TimeSpan.FromSeconds(10));
                seen = CountOutput(text);
                return seen >= count ? seen : throw new TimeoutException($"The host exited with {seen} of {count} line(s) containing '{text}' in the output.\n{output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} line(s) containing '{text}' in the output; saw {seen}.\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    public int CountOutput(string text) =>
        _process.Lines.Count(line => line.Contains(text, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }

    private async Task WaitUntilRunningAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw FreePort.ExitedDuringStart("The Functions host exited during start-up:", await _process.OutputAtExitAsync(TimeSpan.FromSeconds(10)));
            }

            try
            {
                // Only an answer of this host: another process may hold the port it was given (it then exits on it).
                using var response = await probe.GetAsync(new Uri("admin/host/status", UriKind.Relative));
                if (response.IsSuccessStatusCode && await FreePort.ListensAsync(_process, BaseAddress.Port))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The Functions host was not running within " + timeout + ":\n" + Output);
    }
}
