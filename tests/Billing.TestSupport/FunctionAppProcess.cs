using System.Globalization;

namespace Billing.TestSupport;

/// <summary>
/// The real function app server as a separate process on a free loopback port, configured through environment
/// variables exactly as the Functions host or the run command would configure it.
/// </summary>
public sealed class FunctionAppProcess : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    private FunctionAppProcess(ManagedProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public string Output => _process.Output;

    public ManagedProcess Process => _process;

    /// <summary>Starts the built server (<paramref name="executable"/> defaults to the build output) and waits until it answers GET /.</summary>
    public static async Task<FunctionAppProcess> StartAsync(IDictionary<string, string?> settings, string? executable = null, bool underHost = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var port = FreePort.Next();
        var environment = new Dictionary<string, string?>(settings)
        {
            ["ASPNETCORE_ENVIRONMENT"] = settings.TryGetValue("ASPNETCORE_ENVIRONMENT", out var env) ? env : "Development",
            ["Logging__Console__FormatterName"] = "simple",
        };
        var arguments = new List<string>();
        if (underHost)
        {
            environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            arguments.AddRange(["--urls", $"http://127.0.0.1:{port}"]);
        }

        ManagedProcess process;
        if (executable is null)
        {
            var dll = RepoPaths.ProjectOutput("src/Billing.FunctionApp", "Billing.FunctionApp");
            process = ManagedProcess.Start("function-app", "dotnet", [dll, .. arguments], environment, Path.GetDirectoryName(dll));
        }
        else
        {
            process = ManagedProcess.Start("function-app", executable, arguments, environment, Path.GetDirectoryName(executable));
        }

        var app = new FunctionAppProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await app.WaitUntilAnsweringAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await app.DisposeAsync(); // never leave a half-started server behind
            throw;
        }

        return app;
    }

    /// <summary>Waits until a line of the server's output contains <paramref name="text"/>; returns the number of such lines.</summary>
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

            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"Expected {count} line(s) containing '{text}' in the server output; saw {seen}.\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    public int CountOutput(string text) =>
        Output.Split(Environment.NewLine).Count(line => line.Contains(text, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }

    private async Task WaitUntilAnsweringAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("The function app exited during start-up:\n" + Output);
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("/", UriKind.Relative));
                return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The function app did not answer within " + timeout + ":\n" + Output);
    }
}
