using System.Buffers.Text;
using System.Text;
using Billing.Application.Credits;
using Billing.Application.Tests.Fakes;

namespace Billing.Application.Tests.Credits;

/// <summary>The caller's ledger a page at a time: the cursor walks every entry once, newest first, and only a cursor it handed out is taken.</summary>
public sealed class CreditsOverviewTests
{
    private readonly InvoicingTestBed _bed = new();
    private readonly CreditsOverview _overview;

    public CreditsOverviewTests() => _overview = new CreditsOverview(_bed.Credits, _bed.CreditStore, _bed.Time);

    [Fact]
    public async Task The_cursor_walks_every_entry_once_newest_first()
    {
        var subscriber = await _bed.SubscribeProAsync();
        for (var i = 0; i < 5; i++)
        {
            await _bed.GrantAsync(subscriber.Id, $"cs_{i}", 100 + i);
        }

        var amounts = new List<long>();
        var sizes = new List<int>();
        string? cursor = null;
        do
        {
            var page = (await _overview.GetAsync(subscriber.Id, cursor, 2, CancellationToken.None)).AssertSucceeded();
            sizes.Add(page.Entries.Count);
            amounts.AddRange(page.Entries.Select(e => e.Amount));
            cursor = page.NextCursor;
        }
        while (cursor is not null && sizes.Count < 10);

        Assert.Equal([2, 2, 1], sizes);
        Assert.Equal([104, 103, 102, 101, 100], amounts);
    }

    [Theory]
    [InlineData("3")] // a bare sequence: the cursor is opaque
    [InlineData("!!")]
    [InlineData("credits|x|3")] // not encoded
    public async Task A_cursor_it_did_not_hand_out_is_a_400_on_cursor(string cursor)
    {
        var subscriber = await _bed.SubscribeProAsync();

        var errors = (await _overview.GetAsync(subscriber.Id, cursor, null, CancellationToken.None)).AssertInvalid();

        Assert.Equal(["cursor"], errors.Fields);
    }

    [Fact]
    public async Task A_cursor_whose_position_is_not_a_sequence_is_refused()
    {
        var subscriber = await _bed.SubscribeProAsync();
        await _bed.GrantAsync(subscriber.Id, "cs_a", 100);
        await _bed.GrantAsync(subscriber.Id, "cs_b", 100);
        var handedOut = (await _overview.GetAsync(subscriber.Id, null, 1, CancellationToken.None)).AssertSucceeded().NextCursor!;
        var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(handedOut));
        var tag = text[..text.LastIndexOf('|')];

        foreach (var position in new[] { "0", "-1", "x", "1.5" })
        {
            var forged = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{tag}|{position}"));
            Assert.Equal(["cursor"], (await _overview.GetAsync(subscriber.Id, forged, null, CancellationToken.None)).AssertInvalid().Fields);
        }

        Assert.Single((await _overview.GetAsync(subscriber.Id, handedOut, null, CancellationToken.None)).AssertSucceeded().Entries);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task A_limit_outside_1_to_100_is_a_400_on_limit(int limit)
    {
        var subscriber = await _bed.SubscribeProAsync();

        var errors = (await _overview.GetAsync(subscriber.Id, null, limit, CancellationToken.None)).AssertInvalid();

        Assert.Equal("Must be a whole number from 1 to 100.", Assert.Single(errors.For("limit")));
    }
}
