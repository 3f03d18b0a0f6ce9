namespace Billing.FunctionsHost.Configuration;

/// <summary>
/// <c>[--script-root DIR] [--port N] [--state-dir DIR] [--cors ORIGIN[,ORIGIN...]]</c>.
/// </summary>
internal sealed record HostCommandLine(string ScriptRoot, int? Port, string? StateDir, IReadOnlyList<string>? Cors)
{
    public const string Usage =
        "Usage: Billing.FunctionsHost [--script-root DIR] [--port N] [--state-dir DIR] [--cors ORIGIN[,ORIGIN...]]";

    public static HostCommandLine Parse(IReadOnlyList<string> args, string currentDirectory)
    {
        string scriptRoot = currentDirectory;
        int? port = null;
        string? stateDir = null;
        IReadOnlyList<string>? cors = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Count)
            {
                throw new HostStartupException($"Missing value for '{name}'. {Usage}");
            }

            var value = args[++i];
            switch (name)
            {
                case "--script-root":
                    scriptRoot = Path.GetFullPath(value, currentDirectory);
                    break;
                case "--port":
                    port = int.TryParse(value, out var p) && p is > 0 and < 65536
                        ? p
                        : throw new HostStartupException($"'--port {value}' is not a valid port number.");
                    break;
                case "--state-dir":
                    stateDir = Path.GetFullPath(value, currentDirectory);
                    break;
                case "--cors":
                    cors = SplitOrigins(value);
                    break;
                default:
                    throw new HostStartupException($"Unknown option '{name}'. {Usage}");
            }
        }

        return new HostCommandLine(scriptRoot, port, stateDir, cors);
    }

    public static IReadOnlyList<string> SplitOrigins(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
