using Billing.TestSupport;

namespace Billing.Infrastructure.Tests.Support;

/// <summary>
/// Azurite's queue service for the queue tests: the test command's (BILLING_TEST_STORAGE_CONNECTION), or one
/// <see cref="LocalEmulators"/> starts for this process from node_modules. Never skipped: a missing Azurite fails the test.
/// </summary>
internal static class Azurite
{
    private static readonly Lazy<string> Connection = new(() =>
        Task.Run(async () => (await LocalEmulators.GetAsync()).StorageConnectionString).GetAwaiter().GetResult());

    public static string ConnectionString => Connection.Value;
}
