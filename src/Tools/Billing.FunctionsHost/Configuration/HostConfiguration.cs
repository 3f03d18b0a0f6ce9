namespace Billing.FunctionsHost.Configuration;

/// <summary>Everything the host reads before it starts: command line, local.settings.json, host.json, worker.config.json.</summary>
internal sealed record HostConfiguration(
    string ScriptRoot,
    int Port,
    string StateDir,
    IReadOnlyList<string> CorsOrigins,
    AppSettings Settings,
    HostJsonOptions HostJson,
    WorkerConfig Worker)
{
    public const int DefaultPort = 7071;

    public static HostConfiguration Load(HostCommandLine commandLine)
    {
        var root = commandLine.ScriptRoot;
        if (!Directory.Exists(root))
        {
            throw new HostStartupException($"Script root '{root}' does not exist.");
        }

        var local = LocalSettings.Load(root);
        var settings = new AppSettings(local.Values, Environment.GetEnvironmentVariable);
        var processorCount = settings.Get("WEBSITE_SKU") == "Dynamic" ? 1 : Environment.ProcessorCount;
        return new HostConfiguration(
            root,
            commandLine.Port ?? local.LocalHttpPort ?? DefaultPort,
            commandLine.StateDir ?? Path.Combine(root, ".functions-host"),
            commandLine.Cors ?? local.Cors,
            settings,
            HostJsonOptions.Load(root, processorCount, settings.WithPrefix(
                HostJsonOptions.OverridePrefix,
                Environment.GetEnvironmentVariables().Keys.Cast<string>())),
            WorkerConfig.Load(root));
    }
}
