using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Hosting.Standalone;

/// <summary>Timer schedule status kept in a folder between runs (the host keeps it in the storage account), so a run missed while the app was down is detected.</summary>
public sealed class TimerScheduleStatusStore(IOptions<StandaloneTriggerOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private string Folder => Path.Combine(
        options.Value.StateDirectory ?? Path.Combine(Path.GetTempPath(), "billing-function-app"),
        "timers");

    public async Task<TimerScheduleStatus?> LoadAsync(string functionName, CancellationToken cancellationToken)
    {
        var path = PathOf(functionName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<TimerScheduleStatus>(stream, Json, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null; // unreadable status: start afresh as the host does
        }
    }

    public async Task SaveAsync(string functionName, TimerScheduleStatus status, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        var path = PathOf(functionName);
        var temporary = path + ".tmp";
        await using (var stream = File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(stream, status, Json, cancellationToken).ConfigureAwait(false);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private string PathOf(string functionName) => Path.Combine(Folder, functionName + ".json");
}
