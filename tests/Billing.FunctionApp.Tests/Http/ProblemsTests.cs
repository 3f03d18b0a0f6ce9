using Billing.Application.Outcomes;
using Billing.FunctionApp.Http;
using Billing.TestSupport;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>The one mapping of refusals to problem details: every reason has its status and its own code.</summary>
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
    [InlineData(409, "rfc9110#section-15.5.10")]
    [InlineData(413, "rfc9110#section-15.5.14")]
    [InlineData(415, "rfc9110#section-15.5.16")]
    [InlineData(429, "rfc6585#section-4")]
    [InlineData(502, "rfc9110#section-15.6.3")]
    [InlineData(503, "rfc9110#section-15.6.4")]
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
