using Billing.Application.Accounts;
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

    /// <summary>Two calls register one new account at once (both read it as missing): only the one that created it says so.</summary>
    [Fact]
    public async Task Of_two_registrations_racing_only_the_one_that_created_the_account_says_created()
    {
        RegisteredAccount? other = null;
        var hooked = new HookedAccountStore(_bed.Accounts)
        {
            ReadWhen = account => account is null,
            AfterRead = async () => other = (await new AccountRegistration(_bed.Accounts).RegisterAsync("tenant-8", CancellationToken.None)).AssertSucceeded(),
        };

        var mine = (await new AccountRegistration(hooked).RegisterAsync("tenant-8", CancellationToken.None)).AssertSucceeded();

        Assert.Equal((true, false), (other!.Created, mine.Created));
        Assert.Equal(other.CreatedAt, mine.CreatedAt);
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
