using System.Text.Json;

namespace Billing.FunctionsHost.Configuration;

/// <summary>worker.config.json as written by Microsoft.Azure.Functions.Worker.Sdk into the app output.</summary>
internal sealed record WorkerConfig(string ExecutablePath, IReadOnlyList<string> Arguments, string WorkerPath, IReadOnlyList<string> WorkerArguments)
{
    public static WorkerConfig Load(string scriptRoot)
    {
        var path = Path.Combine(scriptRoot, "worker.config.json");
        if (!File.Exists(path))
        {
            throw new HostStartupException(
                $"No worker.config.json in '{scriptRoot}': --script-root must be the build output of an isolated worker app.");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), JsonFiles.Options);
            var description = JsonFiles.Property(document.RootElement, "description")
                ?? throw new HostStartupException("worker.config.json has no 'description'.");
            return new WorkerConfig(
                HostJsonOptions.ReadString(description, "defaultExecutablePath", "description.defaultExecutablePath") ?? "dotnet",
                ReadList(description, "arguments"),
                HostJsonOptions.ReadString(description, "defaultWorkerPath", "description.defaultWorkerPath")
                    ?? throw new HostStartupException("worker.config.json has no 'description.defaultWorkerPath'."),
                ReadList(description, "workerArguments"));
        }
        catch (JsonException e)
        {
            throw new HostStartupException($"worker.config.json is not valid JSON: {e.Message}");
        }
    }

    private static string[] ReadList(JsonElement description, string name) =>
        JsonFiles.Property(description, name) is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToArray()
            : [];
}
