using Billing.Application.Outcomes;
using Billing.Application.Payments;
using Billing.Application.Portal;
using Billing.Application.Tests.Fakes;
using Billing.Application.Trials;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.Portal;

public sealed class PortalSessionsTests
{
    private readonly AccountsTestBed _bed = new();
    private readonly AccountId _id = AccountsTestBed.NewAccountId();

    [Fact]
    public async Task Refused_for_an_account_that_does_not_exist_and_nothing_is_created()
    {
        var outcome = await _bed.Portal.OpenAsync(_id, new OpenPortal(), CancellationToken.None);

        Assert.Equal(RefusalReason.NoStripeCustomer, Assert.IsType<Refused<HostedPortalSession>>(outcome).Refusal.Reason);
        Assert.Null(await _bed.Accounts.GetAsync(_id, CancellationToken.None));
        Assert.Equal(0, _bed.Gateway.TotalCalls);
    }

    [Fact]
    public async Task Refused_for_an_account_without_a_customer()
    {
        Assert.IsType<Succeeded<StartedTrial>>(await _bed.Trials.StartAsync(_id, CancellationToken.None));

        var outcome = await _bed.Portal.OpenAsync(_id, new OpenPortal(), CancellationToken.None);

        Assert.IsType<Refused<HostedPortalSession>>(outcome);
        Assert.Equal(0, _bed.Gateway.TotalCalls);
    }

    [Fact]
    public async Task Opens_the_portal_of_the_accounts_customer_with_the_default_return_url()
    {
        _bed.Seed(_id, a => AccountsTestBed.WithCustomer(a, "cus_mine"));

        var outcome = await _bed.Portal.OpenAsync(_id, new OpenPortal(), CancellationToken.None);

        Assert.IsType<Succeeded<HostedPortalSession>>(outcome);
        var request = Assert.Single(_bed.Gateway.Portals);
        Assert.Equal("cus_mine", request.CustomerId);
        Assert.Equal(AccountsTestBed.DefaultReturnUrl, request.ReturnUrl);
    }

    [Fact]
    public async Task Uses_an_allowed_return_url()
    {
        _bed.Seed(_id, a => AccountsTestBed.WithCustomer(a));

        await _bed.Portal.OpenAsync(_id, new OpenPortal { ReturnUrl = "https://app.example.com/settings/billing" }, CancellationToken.None);

        Assert.Equal("https://app.example.com/settings/billing", Assert.Single(_bed.Gateway.Portals).ReturnUrl);
    }

    [Fact]
    public async Task Rejects_a_return_url_off_the_allow_list_before_anything_else()
    {
        var outcome = await _bed.Portal.OpenAsync(_id, new OpenPortal { ReturnUrl = "https://evil.example.com/" }, CancellationToken.None);

        Assert.Equal(["returnUrl"], Assert.IsType<Invalid<HostedPortalSession>>(outcome).Errors.Fields);
        Assert.Equal(0, _bed.Gateway.TotalCalls);
    }
}
