using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.Credits;

/// <summary>The ledger's property (<see cref="CreditLedgerScenario"/>) over 250 seeded runs against the in-memory store.</summary>
public sealed class CreditLedgerPropertyTests
{
    public const int Seed = 20_261_201;
    public const int Runs = 250;

    [Fact]
    public async Task Concurrent_grants_spends_expiries_and_reversals_keep_the_balance_equal_to_the_sum_of_the_ledger()
    {
        var seeds = new Random(Seed);
        for (var run = 0; run < Runs; run++)
        {
            var seed = seeds.Next();
            var store = new InMemoryCreditLedgerStore();
            try
            {
                await CreditLedgerScenario.RunAsync(seed, AccountId.Parse($"acct-{run}"), store);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                throw new InvalidOperationException($"Run {run} (seed {seed}) failed: {exception.Message}", exception);
            }
        }
    }
}
