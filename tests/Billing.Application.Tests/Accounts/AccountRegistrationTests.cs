using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;

namespace Billing.Application.Tests.Accounts;

public sealed class AccountRegistrationTests
{
    private readonly UsageTestBed _bed = new();

    [Fact]
    public async Task Registering_creates_the_account_once()
    {
        var created = (await _bed.Registration.RegisterAsync("tenant-7", CancellationToken.None)).AssertSucceeded();
        _bed.Time.Advance(TimeSpan.FromHours(1));
        var again = (await _bed.Registration.RegisterAsync("tenant-7", CancellationToken.None)).AssertSucceeded();

        Assert.Equal((AccountId.Parse("tenant-7"), UsageTestBed.Start, true), (created.AccountId, created.CreatedAt, created.Created));
        Assert.Equal((UsageTestBed.Start, false), (again.CreatedAt, again.Created));
        Assert.Single(_bed.Accounts.History);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData(" padded")]
    public async Task An_invalid_account_id_is_reported_and_nothing_is_created(string? accountId)
    {
        var errors = (await _bed.Registration.RegisterAsync(accountId, CancellationToken.None)).AssertInvalid();

        Assert.Equal(["accountId"], errors.Fields);
        Assert.Empty(_bed.Accounts.History);
    }
}
