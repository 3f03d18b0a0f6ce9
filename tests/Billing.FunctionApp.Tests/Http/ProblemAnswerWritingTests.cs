using System.Text;
using System.Text.Json;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Billing.FunctionApp.Tests.Http.StrictJsonRequests;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>A problem answer is written as the host writes it (the problem-details service, System.Text.Json): no body can make that fail.</summary>
public sealed class ProblemAnswerWritingTests
{
    [Theory]
    [InlineData(63)]
    [InlineData(0)]
    public async Task An_unknown_field_whose_name_is_cut_inside_a_surrogate_pair_is_still_answered_as_a_400(int asciiBefore)
    {
        var name = new string('a', asciiBefore) + string.Concat(Enumerable.Repeat("\U0001F600", 40));
        var result = await ReadAsync<CheckoutRequest>($$"""{"plan":"PRO","interval":"month","{{name}}":1}""");

        var (status, json) = await WriteAsync(result.Problem!);

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        using var document = JsonDocument.Parse(json);
        var field = Assert.Single(document.RootElement.GetProperty("errors").EnumerateObject()).Name;
        Assert.StartsWith(name[..asciiBefore], field, StringComparison.Ordinal);
        Assert.True(name.StartsWith(field, StringComparison.Ordinal), "the field is named by a prefix of its name, whole characters only");
    }

    internal static async Task<(int Status, string Body)> WriteAsync(IResult result)
    {
        await using var services = new ServiceCollection().AddLogging().AddProblemDetails(o => o.CustomizeProblemDetails = Problems.AddTraceId).BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        return (context.Response.StatusCode, Encoding.UTF8.GetString(body.ToArray()));
    }
}
