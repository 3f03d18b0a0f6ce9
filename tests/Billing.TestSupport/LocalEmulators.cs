namespace Billing.TestSupport;

/// <summary>
/// Azurite (queues) and the Cosmos DB protocol server for tests. When the test command has already started
/// them it exports their connection strings (BILLING_TEST_STORAGE_CONNECTION, BILLING_TEST_COSMOS_CONNECTION)
/// and every test assembly shares them; otherwise (a test run from an IDE) they are started here from the
/// repository's node_modules (run `npm ci` once; the Cosmos server through scripts/local-cosmos/server.js) on free loopback ports and stopped with the fixture.
/// Tests isolate themselves by unique queue and database names, never by clearing shared state.
/// </summary>
public sealed class LocalEmulators : IAsyncDisposable
{
    public const string AzuriteAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    public const string CosmosEmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>scripts/local-cosmos/server.js: @vercel/cosmosdb-server with stored procedures, same command line.</summary>
    private static string CosmosLauncher => Path.Combine(RepoPaths.RepoRoot, "scripts", "local-cosmos", "server.js");
    private const string CosmosServerName = "cosmosdb-server";
    private static LocalEmulators? _shared;

    private readonly List<ManagedProcess> _processes = [];

    private LocalEmulators(string storageConnectionString, string cosmosConnectionString, bool closesConnections = false)
    {
        ClosesConnections = closesConnections;
        StorageConnectionString = storageConnectionString;
        CosmosConnectionString = cosmosConnectionString;
    }

    /// <summary>Connection string of the storage account serving queues (Azurite's well-known dev account).</summary>
    public string StorageConnectionString { get; }

    /// <summary>Connection string of the Cosmos DB protocol server (HTTPS, self-signed certificate on loopback).</summary>
    public string CosmosConnectionString { get; }

    /// <summary>The Cosmos server's process when these emulators started it (null when the test command's is shared).</summary>
    public int? CosmosServerProcessId => _processes.Find(p => p.Name == CosmosServerName)?.Id;

    private bool ClosesConnections { get; }

    /// <summary>
    /// The storage connection string of this process's emulators, for synchronous set-up (a queue test's constructor):
    /// the test command's Azurite, or one started here. Never a skip: a missing Azurite fails the test.
    /// </summary>
    public static string Storage => SharedStorage.Value;

    private static readonly Lazy<string> SharedStorage = new(() => Task.Run(async () => (await GetAsync()).StorageConnectionString).GetAwaiter().GetResult());

    /// <summary>
    /// The emulators for this process, started once. The Cosmos server keeps connections open between requests, as
    /// Cosmos DB does; <paramref name="closeConnections"/> starts it answering every request with <c>connection:
    /// close</c> instead (a new TLS handshake per request: the conditions of the usage benchmark), which needs
    /// emulators of its own.
    /// </summary>
    public static async Task<LocalEmulators> GetAsync(bool closeConnections = false)
    {
        await Gate.WaitAsync();
        try
        {
            _shared ??= await StartOrReuseAsync(closeConnections);
            if (_shared.ClosesConnections != closeConnections)
            {
                throw new InvalidOperationException($"The emulators of this process were started with closeConnections: {_shared.ClosesConnections}; unset BILLING_TEST_COSMOS_CONNECTION or start another process.");
            }

            return _shared;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// A Cosmos server of the caller's own, started with <paramref name="options"/> added to its command line (e.g.
    /// <c>--script-time-limit-ms 200</c>), for a test that must not change the shared one; dispose the process to stop it.
    /// </summary>
    public static async Task<(ManagedProcess Server, string ConnectionString)> StartCosmosServerAsync(params string[] options)
    {
        RequireTool("cosmosdb-server"); // the launcher runs the package's server (with stored procedures added)
        var (server, port) = await StartEmulatorAsync(CosmosServerName, "node", port => [CosmosLauncher, "--host", "127.0.0.1", "--port", Invariant(port), .. options]);
        return (server, CosmosServerConnectionString(port));
    }

    public static string AzuriteConnectionString(int queuePort, string host = "127.0.0.1") =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteAccountKey};QueueEndpoint=http://{host}:{queuePort}/devstoreaccount1;";

    public static string CosmosServerConnectionString(int port, string host = "127.0.0.1") =>
        $"AccountEndpoint=https://{host}:{port}/;AccountKey={CosmosEmulatorKey};";

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
    }

    private static async Task<LocalEmulators> StartOrReuseAsync(bool closeConnections)
    {
        var storage = Environment.GetEnvironmentVariable("BILLING_TEST_STORAGE_CONNECTION");
        var cosmos = Environment.GetEnvironmentVariable("BILLING_TEST_COSMOS_CONNECTION");
        if (!string.IsNullOrEmpty(storage) && !string.IsNullOrEmpty(cosmos) && !closeConnections)
        {
            return new LocalEmulators(storage, cosmos);
        }

        // Each process is killed when this one exits (ManagedProcess), so a failed start leaves nothing behind either.
        var (azurite, queuePort) = await StartEmulatorAsync("azurite-queue", RequireTool("azurite-queue"), port =>
            ["--queueHost", "127.0.0.1", "--queuePort", Invariant(port), "--location", Directory.CreateTempSubdirectory("billing-azurite-").FullName, "--silent", "--skipApiVersionCheck", "--disableTelemetry"]);
        var (cosmosServer, cosmosConnection) = await StartCosmosServerAsync(closeConnections ? ["--close-connections"] : []);
        var emulators = new LocalEmulators(
            string.IsNullOrEmpty(storage) ? AzuriteConnectionString(queuePort) : storage,
            string.IsNullOrEmpty(cosmos) || closeConnections ? cosmosConnection : cosmos,
            closeConnections);
        emulators._processes.Add(azurite);
        emulators._processes.Add(cosmosServer);
        return emulators;
    }

    /// <summary>Starts one emulator on a free port (another one if that was taken meanwhile) and waits until it listens.</summary>
    private static Task<(ManagedProcess Process, int Port)> StartEmulatorAsync(string name, string fileName, Func<int, string[]> arguments) =>
        FreePort.StartOnFreePortAsync(async port =>
        {
            var process = ManagedProcess.StartTiedToThisProcess(name, fileName, arguments(port));
            await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), process);
            return (process, port);
        });

    private static string Invariant(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string RequireTool(string tool)
    {
        var path = RepoPaths.NodeBin(tool);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: run `npm ci` in {RepoPaths.RepoRoot} (the test command does it for you).");
        }

        return path;
    }
}
