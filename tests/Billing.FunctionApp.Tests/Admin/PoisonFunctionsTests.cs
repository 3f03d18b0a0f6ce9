using System.Text;
using Billing.Application.Operations;
using Billing.FunctionApp.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.FunctionApp.Tests.Admin;

/// <summary>The admin poison endpoints pick the queue from <c>?queue=</c> (Stripe events by default) and its id field.</summary>
public sealed class PoisonFunctionsTests
{
    private readonly FakePoison _events = new(PoisonQueueKinds.StripeEvents, "stripe-events-poison");
    private readonly FakePoison _jobs = new(PoisonQueueKinds.InvoiceJobs, "invoice-jobs-poison");

    private IPoisonMessages[] Queues => [_events, _jobs];

    [Fact]
    public async Task The_listing_is_of_the_stripe_events_queue_by_default_with_up_to_32_messages()
    {
        var result = await new ListPoisonEventsFunction(new PoisonQueues(Queues)).Run(Request(""), CancellationToken.None);

        Assert.Equal("stripe-events-poison", Assert.IsType<Ok<PoisonListing>>(result).Value!.Queue);
        Assert.Equal([32], _events.Listed);
        Assert.Empty(_jobs.Listed);
    }

    [Theory]
    [InlineData("?queue=invoice-jobs&max=5", PoisonQueueKinds.InvoiceJobs, 5)]
    [InlineData("?max=7&queue=stripe-events", PoisonQueueKinds.StripeEvents, 7)]
    public async Task The_queue_parameter_names_the_queue_listed(string query, string kind, int max)
    {
        var result = await new ListPoisonEventsFunction(new PoisonQueues(Queues)).Run(Request(query), CancellationToken.None);

        var queue = kind == PoisonQueueKinds.InvoiceJobs ? _jobs : _events;
        Assert.Equal(queue.PoisonQueueName, Assert.IsType<Ok<PoisonListing>>(result).Value!.Queue);
        Assert.Equal([max], queue.Listed);
    }

    [Theory]
    [InlineData("?queue=billing-notifications", "queue")]
    [InlineData("?queue=Invoice-Jobs", "queue")]
    [InlineData("?queue=invoice-jobs&queue=stripe-events", "queue")]
    [InlineData("?queue=invoice-jobs&max=33", "max")]
    [InlineData("?max=0", "max")]
    public async Task A_bad_queue_or_max_is_a_400_naming_it(string query, string field)
    {
        var result = await new ListPoisonEventsFunction(new PoisonQueues(Queues)).Run(Request(query), CancellationToken.None);

        AssertInvalid(result, field);
        Assert.Empty(_events.Listed);
        Assert.Empty(_jobs.Listed);
    }

    [Fact]
    public async Task Replay_selects_stripe_events_by_event_id_by_default()
    {
        var result = await new ReplayPoisonEventsFunction(new PoisonQueues(Queues)).Run(Request("", """{"eventIds":["evt_1","evt_1"," ","evt_2"]}"""), CancellationToken.None);

        Assert.IsType<Ok<PoisonReplayResult>>(result);
        Assert.Equal(["evt_1", "evt_2"], Assert.Single(_events.Replayed));
        Assert.Empty(_jobs.Replayed);
    }

    [Fact]
    public async Task Replay_selects_invoice_jobs_by_run_id_with_the_queue_parameter()
    {
        var result = await new ReplayPoisonEventsFunction(new PoisonQueues(Queues)).Run(Request("?queue=invoice-jobs", """{"runIds":["user-42:month-2026-11"]}"""), CancellationToken.None);
        var all = await new ReplayPoisonEventsFunction(new PoisonQueues(Queues)).Run(Request("?queue=invoice-jobs", """{"all":true}"""), CancellationToken.None);

        Assert.IsType<Ok<PoisonReplayResult>>(result);
        Assert.IsType<Ok<PoisonReplayResult>>(all);
        Assert.Equal([["user-42:month-2026-11"], []], _jobs.Replayed);
        Assert.Empty(_events.Replayed);
    }

    [Theory]
    [InlineData("?queue=invoice-jobs", """{"eventIds":["evt_1"]}""", "eventIds")]
    [InlineData("", """{"runIds":["user-42:month-2026-11"]}""", "runIds")]
    [InlineData("?queue=stripe-events", """{"runIds":[],"all":true}""", "runIds")]
    [InlineData("?queue=invoice-jobs", """{"runIds":["user-42:month-2026-11"],"all":true}""", "$")]
    [InlineData("?queue=invoice-jobs", """{"runIds":[]}""", "$")]
    [InlineData("", """{"eventIds":["evt_1"],"all":true}""", "$")]
    [InlineData("", "{}", "$")]
    [InlineData("?queue=nope", """{"all":true}""", "queue")]
    [InlineData("?queue=invoice-jobs&queue=invoice-jobs", """{"all":true}""", "queue")] // never read as the default queue
    [InlineData("?queue=invoice-jobs&queue=stripe-events", """{"all":true}""", "queue")]
    [InlineData("", """{"all":true,"queue":"invoice-jobs"}""", "queue")]
    public async Task A_replay_that_does_not_say_what_to_move_in_the_queues_terms_is_a_400(string query, string body, string field)
    {
        var result = await new ReplayPoisonEventsFunction(new PoisonQueues(Queues)).Run(Request(query, body), CancellationToken.None);

        AssertInvalid(result, field);
        Assert.Empty(_events.Replayed);
        Assert.Empty(_jobs.Replayed);
    }

    private static HttpRequest Request(string query, string? body = null)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Method = "POST";
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentType = "application/json";
            context.Request.ContentLength = bytes.Length;
        }

        return context.Request;
    }

    private static void AssertInvalid(IResult result, string field)
    {
        var problem = Assert.IsType<ProblemHttpResult>(result);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        Assert.Equal("invalid_request", problem.ProblemDetails.Extensions["code"]);
        var errors = Assert.IsType<HttpValidationProblemDetails>(problem.ProblemDetails).Errors;
        Assert.True(errors.ContainsKey(field), $"No error about {field}: {string.Join(", ", errors.Keys)}");
    }

    private sealed class FakePoison(string kind, string poisonQueueName) : IPoisonMessages
    {
        public List<int> Listed { get; } = [];

        public List<IReadOnlyCollection<string>> Replayed { get; } = [];

        public string Kind => kind;

        public string PoisonQueueName => poisonQueueName;

        public Task<PoisonListing> ListAsync(int max, CancellationToken cancellationToken)
        {
            Listed.Add(max);
            return Task.FromResult(new PoisonListing(PoisonQueueName, 0, []));
        }

        public Task<PoisonReplayResult> ReplayAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
        {
            Replayed.Add(ids);
            return Task.FromResult(new PoisonReplayResult([], []));
        }
    }
}
