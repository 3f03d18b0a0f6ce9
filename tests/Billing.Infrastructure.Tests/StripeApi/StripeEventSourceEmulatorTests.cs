using Billing.Application.StripeEvents.Recovery;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Stripe;

namespace Billing.Infrastructure.Tests.StripeApi;

/// <summary>
/// <see cref="IStripeEventSource"/> as the app registers it, against the emulator: <c>since</c> goes to Stripe as
/// <c>created[gte]</c>, so a recovery's continuation lists from its last event's second and nothing older.
/// </summary>
[Collection(SharedStripeEmulator.Name)]
public sealed class StripeEventSourceEmulatorTests(StripeEmulatorFixture fixture)
{
    [Fact]
    public async Task Only_the_events_created_at_or_after_since_are_listed_the_ones_of_that_very_second_included()
    {
        var earlier = await fixture.CustomerAsync("acct-source-events-earlier");
        await fixture.Emulator.ControlAsync("/_emulator/clock/advance", new Dictionary<string, string> { ["seconds"] = "5" });
        var later = await fixture.CustomerAsync("acct-source-events-later");
        var created = (await fixture.Stripe.V1.Events.ListAsync(new EventListOptions { Type = "customer.created", Limit = 100 })).Data
            .Where(e => e.Data.RawObject["id"]?.ToString() is { } id && (id == earlier || id == later))
            .ToDictionary(e => e.Data.RawObject["id"]!.ToString(), e => e);
        var since = new DateTimeOffset(DateTime.SpecifyKind(created[later].Created, DateTimeKind.Utc));

        var listed = await fixture.Services.GetRequiredService<IStripeEventSource>().ListAsync(since, ["customer.created"], undeliveredOnly: false, CancellationToken.None);

        Assert.Contains(created[later].Id, listed.Select(e => e.Id));
        Assert.DoesNotContain(created[earlier].Id, listed.Select(e => e.Id));
        Assert.All(listed, e => Assert.True(e.Created >= since, $"{e.Id} created {e.Created:O}, before {since:O}"));
    }
}
