using System.Text.Json;

namespace Billing.FunctionsHost.Timers;

/// <summary>Timer schedule status files: <c>&lt;state-dir&gt;/timers/&lt;FunctionName&gt;.json</c> = {Last, Next, LastUpdated}.</summary>
internal sealed partial class ScheduleStatusStore(string stateDir, ILogger logger)
{
    public string PathFor(string functionName) => Path.Combine(stateDir, "timers", functionName + ".json");

    public ScheduleStatus? Read(string functionName)
    {
        var path = PathFor(functionName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ScheduleStatus>(File.ReadAllText(path));
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            LogUnreadable(logger, path);
            return null;
        }
    }

    public void Write(string functionName, ScheduleStatus status)
    {
        var path = PathFor(functionName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(status));
        File.Move(temporary, path, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer status file '{Path}' is unreadable; starting a new schedule.")]
    private static partial void LogUnreadable(ILogger logger, string path);
}
