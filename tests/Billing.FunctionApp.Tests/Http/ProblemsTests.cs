using Billing.Application.Outcomes;
using Billing.FunctionApp.Http;
using Billing.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>The one mapping of refusals to problem details: every reason has its status, its own code and a title that is a sentence.</summary>
public sealed class ProblemsTests
{
    [Fact]
    public void Every_refusal_reason_has_a_problem_with_its_own_code()
    {
        var problems = Enum.GetValues<RefusalReason>().Select(reason => Problems.RefusedDetails(new Refusal(reason, "detail"))).ToList();

        var codes = problems.Select(p => (string)p.Extensions[Problems.CodeMember]!).ToList();
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(problems, p => Assert.InRange(p.Status!.Value, 400, 599));
        Assert.All(problems, p => Assert.StartsWith("https://tools.ietf.org/html/rfc9110#section-15.", p.Type, StringComparison.Ordinal));

        // The billing page and the CLI say the title to a person when a problem has no detail: a sentence, as the rest.
        Assert.All(problems, p => Assert.Matches(@"^[A-Z].*\.$", p.Title!));
    }

    [Theory]
    [InlineData(RefusalReason.SubscriptionLive, 409, "subscription_live")]
    [InlineData(RefusalReason.NoStripeCustomer, 409, "no_stripe_customer")]
    [InlineData(RefusalReason.TrialAlreadyUsed, 409, "trial_already_used")]
    [InlineData(RefusalReason.TrialNotOffered, 409, "trial_not_offered")]
    [InlineData(RefusalReason.QuotaExceeded, 402, "quota_exceeded")]
    [InlineData(RefusalReason.AccountNotFound, 404, "account_not_found")]
    [InlineData(RefusalReason.IdempotencyKeyReused, 409, "idempotency_key_reused")]
    [InlineData(RefusalReason.UsageInProgress, 409, "usage_in_progress")]
    [InlineData(RefusalReason.CounterFull, 409, "counter_full")]
    [InlineData(RefusalReason.AddOnNotApplicable, 409, "add_on_not_applicable")]
    [InlineData(RefusalReason.PlanNotSold, 409, "plan_not_sold")]
    [InlineData(RefusalReason.InsufficientCredit, 409, "insufficient_credit")]
    [InlineData(RefusalReason.PeriodNotClosed, 409, "period_not_closed")]
    [InlineData(RefusalReason.InvoiceRunNotFound, 404, "invoice_run_not_found")]
    [InlineData(RefusalReason.CustomerLinkedToOtherAccount, 409, "customer_linked_to_other_account")]
    [InlineData(RefusalReason.UsageNotCounted, 503, "busy")]
    public void Each_refusal_has_the_status_and_code_api_md_gives_it_with_its_detail_and_facts(RefusalReason reason, int status, string code)
    {
        var facts = new Dictionary<string, object?> { ["meter"] = "projects", ["limit"] = 1L };

        var problem = Assert.IsType<ProblemHttpResult>(Problems.Refused(new Refusal(reason, "The detail.") { Facts = facts })).ProblemDetails;

        Assert.Equal((status, code, "The detail."), (problem.Status, (string)problem.Extensions[Problems.CodeMember]!, problem.Detail));
        Assert.Equal(status, Assert.IsType<ProblemHttpResult>(Problems.Refused(new Refusal(reason, "The detail."))).StatusCode);
        Assert.Equal(("projects", (object?)1L), (problem.Extensions["meter"], problem.Extensions["limit"])); // the facts are members of their own
    }

    [Fact]
    public void A_validation_problem_is_a_400_invalid_request_naming_each_field()
    {
        var problem = Assert.IsType<HttpValidationProblemDetails>(Assert.IsType<ProblemHttpResult>(Problems.Invalid("meter", "Required.")).ProblemDetails);

        Assert.Equal((400, "invalid_request", Problems.InvalidRequestTitle, "https://tools.ietf.org/html/rfc9110#section-15.5.1"), (problem.Status, (string)problem.Extensions[Problems.CodeMember]!, problem.Title, problem.Type));
        Assert.Equal(["Required."], problem.Errors["meter"]);
    }

    [Fact]
    public void Without_the_requests_own_activity_the_trace_id_is_the_current_activitys_then_the_servers_request_id()
    {
        var http = new DefaultHttpContext { TraceIdentifier = "0HN:00000001" };
        Assert.Equal("0HN:00000001", Problems.TraceIdOf(http));

        using var activity = new System.Diagnostics.Activity("invocation").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start();
        Assert.Equal(activity.Id, Problems.TraceIdOf(http));
    }

    [Fact]
    public void The_billing_page_has_a_sentence_for_every_refusal_a_customer_can_meet()
    {
        // The page shows a refusal's detail only when it knows no sentence for its code, and a detail may be written for
        // the operator (plan_not_sold names the Stripe price). Refusals only the product's backend meets (usage records)
        // need none, nor a refusal only an operator meets whose detail is written for them (the customer id it names).
        string[] serviceOnly = ["counter_full", "idempotency_key_reused", "usage_in_progress", "customer_linked_to_other_account", "invoice_run_not_found"];
        var script = File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "src", "Billing.Web", "assets", "api.js"));

        var missing = Enum.GetValues<RefusalReason>()
            .Select(reason => (string)Problems.RefusedDetails(new Refusal(reason, "detail")).Extensions[Problems.CodeMember]!)
            .Where(code => !serviceOnly.Contains(code) && !script.Contains($"case '{code}':", StringComparison.Ordinal))
            .ToList();

        Assert.True(missing.Count == 0, "api.js has no sentence for: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData(401, "rfc9110#section-15.5.2")]
    [InlineData(403, "rfc9110#section-15.5.4")]
    [InlineData(404, "rfc9110#section-15.5.5")]
    [InlineData(402, "rfc9110#section-15.5.3")]
    [InlineData(409, "rfc9110#section-15.5.10")]
    [InlineData(413, "rfc9110#section-15.5.14")]
    [InlineData(415, "rfc9110#section-15.5.16")]
    [InlineData(429, "rfc6585#section-4")]
    [InlineData(500, "rfc9110#section-15.6.1")]
    [InlineData(502, "rfc9110#section-15.6.3")]
    [InlineData(503, "rfc9110#section-15.6.4")]
    [InlineData(504, "rfc9110#section-15.6.5")]
    public void Every_other_problem_names_the_section_that_defines_its_status(int status, string section)
    {
        var problem = Assert.IsType<ProblemHttpResult>(Problems.Of(status, "Title", "Detail.", "some_code")).ProblemDetails;

        Assert.Equal(("https://tools.ietf.org/html/" + section, status, "some_code"), (problem.Type, problem.Status, (string)problem.Extensions[Problems.CodeMember]!));
    }

    [Fact]
    public void A_batch_record_the_store_did_not_take_is_a_503_busy()
    {
        var problem = Problems.RefusedDetails(new Refusal(RefusalReason.UsageNotCounted, "Send it again."));

        Assert.Equal((503, "busy", "https://tools.ietf.org/html/rfc9110#section-15.6.4", "Send it again."), (problem.Status, (string)problem.Extensions[Problems.CodeMember]!, problem.Type, problem.Detail));
    }
}
