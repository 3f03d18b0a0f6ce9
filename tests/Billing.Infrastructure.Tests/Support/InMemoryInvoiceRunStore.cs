using System.Collections.Concurrent;
using Billing.Application.Invoicing;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Infrastructure.Tests.Support;

/// <summary>Only what the invoice jobs' poison listing reads: <see cref="GetAsync"/>.</summary>
internal sealed class InMemoryInvoiceRunStore : IInvoiceRunStore
{
    public ConcurrentDictionary<string, InvoiceRun> Runs { get; } = new(StringComparer.Ordinal);

    public Task<InvoiceRun?> GetAsync(AccountId accountId, UsagePeriodKey periodKey, CancellationToken cancellationToken) =>
        Task.FromResult(Runs.TryGetValue($"{accountId.Value}:{periodKey.Value}", out var run) ? run : null);

    public Task<IReadOnlyList<InvoiceRun>> GetManyAsync(AccountId accountId, IReadOnlyCollection<UsagePeriodKey> periodKeys, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<InvoiceRun> CreateAsync(InvoiceRun run, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<InvoiceRun> SaveAsync(InvoiceRun run, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task RecordInIndexAsync(InvoiceRun run, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<InvoiceRun>> ListInvoicedAsync(AccountId accountId, InvoicedRunPosition? after, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<InvoiceRun>> ListOfMonthAsync(BillingMonth month, AccountId? accountId, string? afterRunId, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> NameInMonthIndexAsync(InvoiceRun run, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<DateTimeOffset?> GetMonthIndexCompletedAsync(BillingMonth month, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task MarkMonthIndexCompletedAsync(BillingMonth month, DateTimeOffset at, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<InvoiceRun?> FindByStripeInvoiceAsync(string stripeInvoiceId, CancellationToken cancellationToken) => throw new NotSupportedException();
}
