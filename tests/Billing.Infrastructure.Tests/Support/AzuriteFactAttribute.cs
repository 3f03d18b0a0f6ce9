namespace Billing.Infrastructure.Tests.Support;

/// <summary>A test against Azurite's queue service at <c>BILLING_TEST_STORAGE_CONNECTION</c>; skipped, saying why, when it is unset.</summary>
internal sealed class AzuriteFactAttribute : FactAttribute
{
    public const string Variable = "BILLING_TEST_STORAGE_CONNECTION";

    public AzuriteFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            Skip = $"{Variable} is not set: start Azurite (node_modules/.bin/azurite-queue) and set it to its connection string to run the queue tests.";
        }
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable);
}
