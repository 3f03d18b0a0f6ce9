using System.Diagnostics;
using System.Text.RegularExpressions;
using Billing.FunctionsHost.Configuration;

namespace Billing.FunctionsHost.Worker;

/// <summary>
/// The worker OS process, started like the real host does (worker.config.json command, both argument sets,
/// FUNCTIONS_* environment). Its stdout and stderr lines go to the host log.
/// </summary>
internal sealed partial class WorkerProcess : IDisposable
{
    private readonly Process process;

    private WorkerProcess(Process process, Task<int> exited)
    {
        this.process = process;
        Exited = exited;
    }

    public int Id => process.Id;

    /// <summary>Completes with the exit code when the process has exited.</summary>
    public Task<int> Exited { get; }

    public static WorkerProcess Start(HostConfiguration configuration, Uri grpcUri, string workerId, ILogger output)
    {
        var environment = BuildEnvironment(configuration);
        var info = new ProcessStartInfo(Expand(configuration.Worker.ExecutablePath, environment))
        {
            WorkingDirectory = configuration.ScriptRoot,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        foreach (var argument in BuildArguments(configuration.Worker, grpcUri, workerId, environment))
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => WriteLine(output, e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => WriteLine(output, e.Data, isError: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkerProcess(process, WaitForExitAsync(process));
    }

    internal static IReadOnlyList<string> BuildArguments(WorkerConfig worker, Uri grpcUri, string workerId, IReadOnlyDictionary<string, string> environment)
    {
        var requestId = Guid.NewGuid().ToString();
        var port = grpcUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        const string maxMessageLength = "2147483647";
        return
        [
            .. worker.Arguments.Select(a => Expand(a, environment)),
            Expand(worker.WorkerPath, environment),
            .. worker.WorkerArguments.Select(a => Expand(a, environment)),
            "--host", grpcUri.Host, "--port", port, "--workerId", workerId, "--requestId", requestId,
            "--grpcMaxMessageLength", maxMessageLength,
            "--functions-uri", grpcUri.ToString(), "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", maxMessageLength,
        ];
    }

    /// <summary>App settings (real environment wins), then the variables the real host always sets.</summary>
    internal static Dictionary<string, string> BuildEnvironment(HostConfiguration configuration)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in configuration.Settings.Values)
        {
            if (Environment.GetEnvironmentVariable(name) is null)
            {
                environment[name] = value;
            }
        }

        environment["FUNCTIONS_APPLICATION_DIRECTORY"] = configuration.ScriptRoot;
        environment["FUNCTIONS_WORKER_DIRECTORY"] = configuration.ScriptRoot;
        environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        environment["AzureWebJobsScriptRoot"] = configuration.ScriptRoot;
        environment["AZURE_FUNCTIONS_ENVIRONMENT"] = configuration.Settings.Get("AZURE_FUNCTIONS_ENVIRONMENT") ?? "Development";
        return environment;
    }

    /// <summary>Expands <c>%VAR%</c> from the worker environment, then the process environment; unknown ones are removed.</summary>
    internal static string Expand(string text, IReadOnlyDictionary<string, string> environment) =>
        Variable().Replace(text, m =>
            environment.TryGetValue(m.Groups[1].Value, out var value) ? value
            : Environment.GetEnvironmentVariable(m.Groups[1].Value) ?? string.Empty);

    /// <summary>Kills the worker and anything it started; no-op when it has exited.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited meanwhile.
        }
    }

    public void Dispose() => process.Dispose();

    private static async Task<int> WaitForExitAsync(Process process)
    {
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }

    private static void WriteLine(ILogger output, string? line, bool isError)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        if (isError)
        {
            LogStderr(output, line);
        }
        else
        {
            LogStdout(output, line);
        }
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Variable();

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogStdout(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Line}")]
    private static partial void LogStderr(ILogger logger, string line);
}
