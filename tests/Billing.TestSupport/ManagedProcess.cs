using System.Collections.Concurrent;
using System.Diagnostics;

namespace Billing.TestSupport;

/// <summary>A child process started by a test, with its output kept for diagnostics and the whole tree killed on dispose.</summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    /// <summary>
    /// Kills the tree when this process exits without disposing it (Environment.Exit, as the benchmarks' SIGTERM handler
    /// does): ProcessExit handlers run then, <c>await using</c> blocks do not, and the host and its worker kept running.
    /// </summary>
    private readonly EventHandler _killOnExit;

    private ManagedProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        _killOnExit = (_, _) => KillTree();
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>The last 200 lines, for failure messages.</summary>
    public string Output => string.Join(Environment.NewLine, _output.TakeLast(200));

    /// <summary>
    /// Waits, at most <paramref name="timeout"/>, until the process has exited and every line it and the processes it
    /// started wrote has been read, and returns the output read by then. <see cref="HasExited"/> turns true before the
    /// last lines are read (the reading threads may be busy, or a child may write last): decide on the output with this.
    /// </summary>
    public async Task<string> OutputAtExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout); // also waits for the end of both redirected streams
        }
        catch (TimeoutException)
        {
            // what was read so far
        }

        return Output;
    }

    /// <summary>Every line kept (the last <see cref="KeptLines"/>), for what a test looks for or must not find.</summary>
    public IReadOnlyList<string> Lines => [.. _output];

    private const int KeptLines = 20_000;

    public static ManagedProcess Start(string name, string fileName, IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoPaths.RepoRoot,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process, name);
        process.OutputDataReceived += (_, e) => managed.Append(e.Data);
        process.ErrorDataReceived += (_, e) => managed.Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {name} ({fileName}).");
        }

        AppDomain.CurrentDomain.ProcessExit += managed._killOnExit;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>
    /// Starts a long-lived helper (an emulator) that also stops when this test process dies without disposing it
    /// (a killed test host): a small shell watchdog ends the child once this process is gone.
    /// </summary>
    public static ManagedProcess StartTiedToThisProcess(string name, string fileName, IEnumerable<string> arguments)
    {
        const string Watchdog = "\"$@\" & child=$!; while kill -0 \"$BILLING_TEST_PARENT\" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; kill $child 2>/dev/null; wait $child";
        var managed = Start(
            name,
            "bash",
            ["-c", Watchdog, "watchdog", fileName, .. arguments],
            new Dictionary<string, string?> { ["BILLING_TEST_PARENT"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        // At exit the watchdog alone ends it: a tree kill from ProcessExit could be cut short by the exit itself after
        // it had killed the watchdog but not yet the emulator, which then ran on for good (one per test run).
        AppDomain.CurrentDomain.ProcessExit -= managed._killOnExit;
        return managed;
    }

    /// <summary>
    /// Sends SIGTERM (what the run command's Ctrl+C handler and process managers send) and waits for a graceful exit;
    /// returns false if it did not exit in time. (SIGINT is not used: a process started in the background by a
    /// non-interactive shell inherits SIGINT as ignored.)
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return true;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _killOnExit;
        if (KillTree())
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                // leave it; the test run is ending
            }
        }

        _process.Dispose();
    }

    /// <summary>Kills the process and its descendants; false when it had already exited.</summary>
    private bool KillTree()
    {
        try
        {
            if (_process.HasExited)
            {
                return false;
            }

            _process.Kill(entireProcessTree: true);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false; // already gone
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > KeptLines && _output.TryDequeue(out _))
        {
        }
    }
}
