using Billing.Application.Payments;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.Accounts;

public sealed class StripeCustomerProvisioningTests
{
    private readonly AccountsTestBed _bed = new();

    [Fact]
    public async Task A_new_account_is_created_with_one_customer_linked_to_it_under_a_key_derived_from_the_account()
    {
        var id = AccountId.Parse("user-42");

        var account = await _bed.Provisioning.EnsureCustomerAsync(id, read: null, CancellationToken.None);

        var call = Assert.Single(_bed.Gateway.CustomerCalls);
        Assert.Equal("customer-create:user-42", call.IdempotencyKey);
        Assert.Equal(id, call.AccountId);
        var customer = Assert.Single(_bed.Gateway.CreatedCustomers);
        Assert.Equal(customer, account.StripeCustomerId);
        Assert.Equal(customer, (await _bed.Accounts.GetAsync(id, CancellationToken.None))!.StripeCustomerId);
        Assert.Equal(id, _bed.Links.All[customer]);
    }

    [Fact]
    public async Task An_account_that_has_a_customer_reuses_it_without_calling_Stripe()
    {
        var id = AccountsTestBed.NewAccountId();
        _bed.Seed(id, a => AccountsTestBed.WithCustomer(a, "cus_kept"));
        var writes = _bed.Accounts.Writes;

        var account = await _bed.Provisioning.EnsureCustomerAsync(id, read: null, CancellationToken.None);

        Assert.Equal("cus_kept", account.StripeCustomerId);
        Assert.Empty(_bed.Gateway.CustomerCalls);
        Assert.Equal(writes, _bed.Accounts.Writes);
    }

    [Fact]
    public async Task Twenty_racing_first_requests_create_one_account_and_one_customer()
    {
        var id = AccountsTestBed.NewAccountId();

        var accounts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _bed.Provisioning.EnsureCustomerAsync(id, read: null, CancellationToken.None))));

        var customer = Assert.Single(_bed.Gateway.CreatedCustomers);
        Assert.All(accounts, a => Assert.Equal(customer, a.StripeCustomerId));
        Assert.All(_bed.Gateway.CustomerCalls, c => Assert.Equal(PaymentIdempotencyKeys.CustomerCreation(id), c.IdempotencyKey));
        Assert.Equal(1, _bed.Accounts.Writes); // exactly one assignment was written
        Assert.Single(_bed.Links.All);
    }

    [Fact]
    public async Task A_customer_set_by_someone_else_meanwhile_is_kept_and_the_new_one_is_not_used()
    {
        var id = AccountsTestBed.NewAccountId();
        _bed.Gateway.DuringCustomerCreation = async _ =>
            await _bed.Accounts.UpdateAsync(id, a => a.AssignStripeCustomer("cus_first").Account, CancellationToken.None);

        var account = await _bed.Provisioning.EnsureCustomerAsync(id, read: null, CancellationToken.None);

        Assert.Equal("cus_first", account.StripeCustomerId);
        Assert.Equal("cus_first", (await _bed.Accounts.GetAsync(id, CancellationToken.None))!.StripeCustomerId);
    }

    [Fact]
    public async Task A_customer_deleted_while_the_request_ran_is_not_assigned_and_a_retry_gets_a_new_one()
    {
        // Another request gave the account this key's customer, and Stripe deleted it (customer.deleted), while this one
        // was creating it: Stripe answers this request's key with that deleted customer.
        var id = AccountsTestBed.NewAccountId();
        _bed.Gateway.DuringCustomerCreation = async _ =>
            await _bed.Accounts.UpdateAsync(id, a => a.AssignStripeCustomer("cus_fake1").Account.ForgetStripeCustomer("cus_fake1"), CancellationToken.None);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => _bed.Provisioning.EnsureCustomerAsync(id, read: null, CancellationToken.None));
        _bed.Gateway.DuringCustomerCreation = null;
        var retried = await _bed.Provisioning.EnsureCustomerAsync(id, read: null, CancellationToken.None);

        Assert.Contains("cus_fake1", failure.Message, StringComparison.Ordinal);
        Assert.Equal("cus_fake2", retried.StripeCustomerId);
        Assert.Equal("cus_fake2", (await _bed.Accounts.GetAsync(id, CancellationToken.None))!.StripeCustomerId);
    }

    [Fact]
    public async Task A_customer_already_linked_to_another_account_is_never_assigned()
    {
        var id = AccountId.Parse("victim");
        await _bed.Links.LinkAsync("cus_fake1", AccountId.Parse("someone-else"), CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _bed.Provisioning.EnsureCustomerAsync(id, read: null, CancellationToken.None));

        Assert.Null((await _bed.Accounts.GetAsync(id, CancellationToken.None))!.StripeCustomerId);
    }

    [Fact]
    public async Task A_failing_Stripe_leaves_the_account_without_a_customer_so_a_retry_can_finish()
    {
        var id = AccountsTestBed.NewAccountId();
        _bed.Gateway.Failure = new PaymentProviderException("down") { IsTransient = true };

        await Assert.ThrowsAsync<PaymentProviderException>(() => _bed.Provisioning.EnsureCustomerAsync(id, read: null, CancellationToken.None));
        _bed.Gateway.Failure = null;
        var account = await _bed.Provisioning.EnsureCustomerAsync(id, read: null, CancellationToken.None);

        Assert.Equal(Assert.Single(_bed.Gateway.CreatedCustomers), account.StripeCustomerId);
    }

    [Theory]
    [InlineData("user-1", "customer-create:user-1")]
    [InlineData("auth0|5f7c8ec7c33c6c004bbafe82", "customer-create:auth0|5f7c8ec7c33c6c004bbafe82")]
    [InlineData("!ops~1", "customer-create:!ops~1")] // the first and the last printable ASCII character
    public void The_idempotency_key_is_the_account_id_when_it_is_header_safe(string accountId, string expected) =>
        Assert.Equal(expected, PaymentIdempotencyKeys.CustomerCreation(AccountId.Parse(accountId)));

    [Theory]
    [InlineData("jürgen")]
    [InlineData("has space")]
    public void Account_ids_that_are_not_plain_ascii_are_hashed_into_the_key(string accountId)
    {
        var key = PaymentIdempotencyKeys.CustomerCreation(AccountId.Parse(accountId));

        Assert.StartsWith("customer-create:sha256:", key, StringComparison.Ordinal);
        Assert.Equal("customer-create:sha256:".Length + 64, key.Length);
        Assert.All(key, c => Assert.InRange(c, '!', '~'));
        Assert.Equal(key, PaymentIdempotencyKeys.CustomerCreation(AccountId.Parse(accountId)));
    }
}
