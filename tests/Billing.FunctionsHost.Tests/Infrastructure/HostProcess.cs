using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Billing.TestSupport;

namespace Billing.FunctionsHost.Tests.Infrastructure;

/// <summary>The real host started as a process against the fixture app, with its output captured line by line.</summary>
internal sealed partial class HostProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process process;
    private readonly List<string> stdout = [];
    private readonly List<string> stderr = [];
    private readonly Lock gate = new();

    private HostProcess(Process process, int port, string stateDir)
    {
        this.process = process;
        Port = port;
        StateDir = stateDir;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public int Port { get; }

    public string StateDir { get; }

    public HttpClient Http { get; }

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (gate)
            {
                return stdout.ToArray();
            }
        }
    }

    public string Errors
    {
        get
        {
            lock (gate)
            {
                return string.Join('\n', stderr);
            }
        }
    }

    public static HostProcess Start(
        IReadOnlyDictionary<string, string>? environment = null,
        string? scriptRoot = null,
        int? port = null,
        string? stateDir = null,
        IEnumerable<string>? extraArguments = null)
    {
        port ??= FreePort.Next();
        stateDir ??= TestPaths.NewTempDirectory();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { TestPaths.HostDll, "--script-root", scriptRoot ?? TestPaths.FixtureApp, "--port", port.Value.ToString(), "--state-dir", stateDir })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in extraArguments ?? [])
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["AzureWebJobsStorage"] = Storage.ConnectionString;
        info.Environment["FIXTURE_QUEUE"] = Storage.UniqueQueueName("unused");
        info.Environment["FIXTURE_SCHEDULE"] = "0 0 0 1 1 *";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var host = new HostProcess(process, port.Value, stateDir);
        process.OutputDataReceived += (_, e) => host.Append(host.stdout, e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(host.stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Starts the host on a free port (again on another one when that port was taken before the host bound it).</summary>
    public static Task<HostProcess> StartReadyAsync(IReadOnlyDictionary<string, string>? environment = null, IEnumerable<string>? extraArguments = null, string? stateDir = null) =>
        FreePort.StartOnFreePortAsync(async port =>
        {
            var host = Start(environment, port: port, stateDir: stateDir, extraArguments: extraArguments);
            try
            {
                await host.WaitForLineAsync(l => l == "Host started", StartTimeout);
                return host;
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }
        });

    /// <summary>
    /// The first output line that matches; when the host exits without one, throws with its whole output, read to the
    /// end (<see cref="Process.HasExited"/> turns true before the reading threads deliver the last lines): a
    /// <see cref="PortTakenException"/> when it says its port was taken.
    /// </summary>
    public Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout) =>
        Wait.ForAsync(async () =>
        {
            if (process.HasExited)
            {
                try
                {
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)); // also waits for the end of both redirected streams
                }
                catch (TimeoutException)
                {
                    // a worker left behind holds the output open: what was read
                }

                return Output.FirstOrDefault(predicate)
                    ?? throw FreePort.ExitedDuringStart($"The host exited with {process.ExitCode}:", $"{Errors}\n{string.Join('\n', Output.TakeLast(30))}");
            }

            return Output.FirstOrDefault(predicate);
        }, timeout, "a host output line");

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancellation.Token);
        return process.ExitCode;
    }

    /// <summary>Pids of the worker processes the host reported starting.</summary>
    public IReadOnlyList<int> WorkerPids() =>
        Output.Select(l => WorkerStarted().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value)).ToArray();

    public void SendSigterm()
    {
        if (Kill(process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill(SIGTERM) failed: {Marshal.GetLastPInvokeError()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Append(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            lines.Add(line);
        }
    }

    [GeneratedRegex(@"Worker process started \(pid (\d+)\)")]
    private static partial Regex WorkerStarted();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
