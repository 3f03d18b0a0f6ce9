namespace Billing.TestSupport;

/// <summary>
/// App settings that point a function app process at the test emulators, isolated by a unique queue and database, and
/// accept the test <see cref="ServiceCredentials"/> (in place of the local development key).
/// </summary>
public static class FunctionAppSettings
{
    public static Dictionary<string, string?> ForEmulators(LocalEmulators emulators, string? queueName = null)
    {
        ArgumentNullException.ThrowIfNull(emulators);
        var unique = Guid.NewGuid().ToString("N")[..12];
        return new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = emulators.StorageConnectionString,
            ["STRIPE_EVENTS_QUEUE"] = queueName ?? "events-" + unique,
            ["BILLING_NOTIFICATIONS_QUEUE"] = "notify-" + unique,
            ["INVOICE_JOBS_QUEUE"] = "jobs-" + unique,
            ["MONTHLY_INVOICING_SCHEDULE"] = "0 0 2 1 * *",
            ["MISSED_EVENT_SWEEP_SCHEDULE"] = "0 15 * * * *",
            ["Billing__Cosmos__ConnectionString"] = emulators.CosmosConnectionString,
            ["Billing__Cosmos__DatabaseName"] = "db-" + unique,
            ["Billing__Cosmos__ProvisionOnStartup"] = "true",
            ["Stripe__ApiBase"] = FreePort.Nowhere.Url.ToString().TrimEnd('/'), // no Stripe unless the test starts one

            // The tests close usage periods seconds ahead in real time and invoice them at once: every record of theirs is
            // counted before its period ends, so no period needs to settle (the default is 10 minutes, Development's 5 s).
            ["Billing__Invoicing__SettleTime"] = "00:00:00",
            ["Billing__ServiceAuth__ApiKeys__0__Name"] = ServiceCredentials.ApiKeyName,
            ["Billing__ServiceAuth__ApiKeys__0__Sha256"] = ServiceCredentials.ApiKeySha256,
            ["Billing__ServiceAuth__Scope"] = ServiceCredentials.Scope,
            ["Billing__ServiceAuth__ClientIds__0"] = ServiceCredentials.ClientId,
        };
    }
}
