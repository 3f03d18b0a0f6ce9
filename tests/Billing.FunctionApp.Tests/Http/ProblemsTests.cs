using Billing.Application.Outcomes;
using Billing.FunctionApp.Http;

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
    }

    [Fact]
    public void A_batch_record_the_store_did_not_take_is_a_503_busy()
    {
        var problem = Problems.RefusedDetails(new Refusal(RefusalReason.UsageNotCounted, "Send it again."));

        Assert.Equal((503, "busy", "https://tools.ietf.org/html/rfc9110#section-15.6.4", "Send it again."), (problem.Status, (string)problem.Extensions[Problems.CodeMember]!, problem.Type, problem.Detail));
    }
}
