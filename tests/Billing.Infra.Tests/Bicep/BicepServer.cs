using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Billing.Infra.Tests.Bicep;

/// <summary>
/// One <c>bicep jsonrpc --stdio</c> process for the whole test run: the same compiler as <c>bicep build</c> and
/// <c>bicep snapshot</c>, started (and paid for: ~6 CPU-seconds of start-up per process) once instead of once per
/// template. Requests go one at a time; the process ends with the test run (its stdin closes).
/// </summary>
public static class BicepServer
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Lazy<Process> Server = new(Start);
    private static readonly StringBuilder ServerErrors = new();
    private static int _nextId;

    /// <summary>What <c>bicep build --stdout</c> gives: exit code 1 on an error, the ARM template, every diagnostic (linter's too) as a line.</summary>
    public static async Task<BicepResult> CompileAsync(string path)
    {
        var (result, error) = await CallAsync("bicep/compile", new JsonObject { ["path"] = path });
        if (result is null)
        {
            return new BicepResult(1, string.Empty, $"bicep/compile {path} failed: {error}");
        }

        var diagnostics = result["diagnostics"]!.AsArray().Select(d => FormatDiagnostic(d!.AsObject()));
        return new BicepResult((bool)result["success"]! ? 0 : 1, (string?)result["contents"] ?? string.Empty, string.Join('\n', diagnostics));
    }

    /// <summary>What <c>bicep snapshot --mode overwrite</c> writes (the snapshot JSON), as standard output.</summary>
    public static async Task<BicepResult> SnapshotAsync(string parametersFile, string subscriptionId, string tenantId, string location)
    {
        var (result, error) = await CallAsync("bicep/getSnapshot", new JsonObject
        {
            ["path"] = parametersFile,
            ["metadata"] = new JsonObject { ["subscriptionId"] = subscriptionId, ["tenantId"] = tenantId, ["location"] = location },
        });
        return result is null
            ? new BicepResult(1, string.Empty, $"bicep/getSnapshot {parametersFile} failed: {error}")
            : new BicepResult(0, (string)result["snapshot"]!, string.Empty);
    }

    private static string FormatDiagnostic(JsonObject d)
    {
        var start = d["range"]!["start"]!;
        return $"{(string?)d["source"]}({(int)start["line"]! + 1},{(int)start["char"]! + 1}) : {(string?)d["level"]} {(string?)d["code"]}: {(string?)d["message"]}";
    }

    /// <summary>The request's result, or its error answer.</summary>
    private static async Task<(JsonObject? Result, string? Error)> CallAsync(string method, JsonObject parameters)
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        await Gate.WaitAsync(cancellation.Token);
        try
        {
            var server = Server.Value;
            var id = ++_nextId;
            var body = Encoding.UTF8.GetBytes(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString());
            var input = server.StandardInput.BaseStream;
            await input.WriteAsync(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), cancellation.Token);
            await input.WriteAsync(body, cancellation.Token);
            await input.FlushAsync(cancellation.Token);
            while (true)
            {
                var message = await ReadMessageAsync(server.StandardOutput.BaseStream, cancellation.Token);
                if ((int?)message["id"] != id)
                {
                    continue; // a notification
                }

                return message["error"] is { } error ? (null, error.ToJsonString()) : (message["result"]!.AsObject(), null);
            }
        }
        catch (OperationCanceledException)
        {
            Server.Value.Kill(entireProcessTree: true);
            throw new TimeoutException($"{method} {parameters.ToJsonString()} got no answer from bicep jsonrpc within {Timeout}.");
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<JsonObject> ReadMessageAsync(Stream output, CancellationToken cancellationToken)
    {
        var header = new StringBuilder();
        var one = new byte[1];
        while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await output.ReadAsync(one, cancellationToken) == 0)
            {
                throw new InvalidOperationException($"bicep jsonrpc ended: {ServerOutput()}");
            }

            header.Append((char)one[0]);
        }

        var length = header.ToString().Split("\r\n")
            .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture))
            .Single();
        var body = new byte[length];
        await output.ReadExactlyAsync(body, cancellationToken);
        return JsonNode.Parse(body)!.AsObject();
    }

    private static Process Start()
    {
        var start = new ProcessStartInfo(BicepCli.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = BicepCli.RepositoryRoot,
        };
        start.ArgumentList.Add("jsonrpc");
        start.ArgumentList.Add("--stdio");
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {BicepCli.Executable} jsonrpc.");
        process.ErrorDataReceived += (_, e) => AppendError(e.Data);
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        };
        return process;
    }

    private static void AppendError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (ServerErrors)
        {
            ServerErrors.AppendLine(line);
        }
    }

    private static string ServerOutput()
    {
        lock (ServerErrors)
        {
            return ServerErrors.ToString();
        }
    }
}
