using Billing.Application.StripeEvents.Recovery;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Stripe;

namespace Billing.Infrastructure.Tests.StripeApi;

/// <summary>
/// <see cref="IStripeEventSource"/> as the app registers it, against the emulator: the window goes to Stripe as
/// <c>created[gte]</c> and <c>created[lte]</c>, so a recovery's continuation lists from its last event's second and nothing
/// older, and a window lists nothing after its last second.
/// </summary>
[Collection(SharedStripeEmulator.Name)]
public sealed class StripeEventSourceEmulatorTests(StripeEmulatorFixture fixture)
{
    [Fact]
    public async Task Only_the_events_created_within_the_window_are_listed_the_ones_of_its_first_and_last_seconds_included()
    {
        var earlier = await fixture.CustomerAsync("acct-source-events-earlier");
        await fixture.Emulator.ControlAsync("/_emulator/clock/advance", new Dictionary<string, string> { ["seconds"] = "5" });
        var later = await fixture.CustomerAsync("acct-source-events-later");
        var created = (await fixture.Stripe.V1.Events.ListAsync(new EventListOptions { Type = "customer.created", Limit = 100 })).Data
            .Where(e => e.Data.RawObject["id"]?.ToString() is { } id && (id == earlier || id == later))
            .ToDictionary(e => e.Data.RawObject["id"]!.ToString(), e => e);
        var since = new DateTimeOffset(DateTime.SpecifyKind(created[later].Created, DateTimeKind.Utc));

        var until = new DateTimeOffset(DateTime.SpecifyKind(created[earlier].Created, DateTimeKind.Utc));
        var source = fixture.Services.GetRequiredService<IStripeEventSource>();

        var fromLater = Assert.IsAssignableFrom<IReadOnlyList<Billing.Application.StripeEvents.NewStripeEvent>>(
            await source.ListAsync(since, since.AddDays(1), ["customer.created"], undeliveredOnly: false, int.MaxValue, CancellationToken.None));
        var toEarlier = Assert.IsAssignableFrom<IReadOnlyList<Billing.Application.StripeEvents.NewStripeEvent>>(
            await source.ListAsync(until.AddDays(-1), until, ["customer.created"], undeliveredOnly: false, int.MaxValue, CancellationToken.None));

        Assert.Contains(created[later].Id, fromLater.Select(e => e.Id));
        Assert.DoesNotContain(created[earlier].Id, fromLater.Select(e => e.Id));
        Assert.All(fromLater, e => Assert.True(e.Created >= since, $"{e.Id} created {e.Created:O}, before {since:O}"));
        Assert.Contains(created[earlier].Id, toEarlier.Select(e => e.Id));
        Assert.DoesNotContain(created[later].Id, toEarlier.Select(e => e.Id));
        Assert.All(toEarlier, e => Assert.True(e.Created <= until, $"{e.Id} created {e.Created:O}, after {until:O}"));
    }
}
