using Billing.Application.StripeEvents;

namespace Billing.Application.Tests.StripeEvents;

/// <summary>The <c>stripe-events</c> queue message: a reference to a stored event, refused as such when it names none.</summary>
public sealed class StripeEventQueueMessageTests
{
    [Fact]
    public void A_message_survives_the_round_trip()
    {
        var message = new StripeEventQueueMessage { EventId = "evt_1", Type = "invoice.paid" };

        Assert.Equal(message, StripeEventQueueMessage.Parse(message.ToJson()));
    }

    [Fact]
    public void An_event_id_of_255_characters_the_longest_a_stored_event_has_is_read()
    {
        var longest = "evt_" + new string('a', 251);

        Assert.Equal(longest, StripeEventQueueMessage.Parse($$"""{"eventId":"{{longest}}"}""").EventId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("""{"eventId":""}""")]
    [InlineData("""{"eventId":"   "}""")]
    [InlineData("""{"eventId":"in_1","type":"invoice.paid"}""")] // not an event id
    [InlineData("""{"eventId":" evt_1"}""")]
    [InlineData("""{"eventId":"EVT_1"}""")]
    public void Anything_that_names_no_event_is_an_invalid_queue_message(string text)
    {
        Assert.Throws<InvalidQueueMessageException>(() => StripeEventQueueMessage.Parse(text));
    }

    [Fact]
    public void An_event_id_longer_than_255_characters_is_an_invalid_queue_message()
    {
        var tooLong = "evt_" + new string('a', 252);

        Assert.Throws<InvalidQueueMessageException>(() => StripeEventQueueMessage.Parse($$"""{"eventId":"{{tooLong}}"}"""));
    }
}
