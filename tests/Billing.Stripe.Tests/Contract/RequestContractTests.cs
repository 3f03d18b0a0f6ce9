using System.Collections;
using System.Net;
using System.Reflection;
using Billing.Stripe.Tests.Support;
using Xunit.Abstractions;

namespace Billing.Stripe.Tests.Contract;

/// <summary>Every request the client can build is checked against Stripe's published spec (2023-08-16 plus the
/// explicit 2026-07-29.dahlia deltas in <see cref="SpecDeltas"/>): operation, parameter names, types, enums,
/// lengths and required parameters.</summary>
public sealed class RequestContractTests(ITestOutputHelper output)
{
    public static TheoryData<string> CaseNames => new(RequestCases.All.Select(c => c.Name));

    [RequiresStripeSpecTheory]
    [MemberData(nameof(CaseNames))]
    public async Task The_request_matches_the_operation_in_stripes_spec(string name)
    {
        var testCase = RequestCases.All.Single(c => c.Name == name);
        var handler = new StubHttpMessageHandler { Fallback = _ => StubHttpMessageHandler.Response(HttpStatusCode.OK, testCase.Response().ToJsonString()) };

        var result = await testCase.Invoke(TestStripe.Client(handler));

        Assert.NotNull(result);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(testCase.Method, request.Method);
        var found = StripeSpec.Current.FindOperation(request.Method, request.Uri.AbsolutePath);
        Assert.True(found is not null, $"{request.Method} {request.Uri.AbsolutePath} is not an operation of Stripe's API");
        Assert.Equal(testCase.SpecPath, found.Value.Template);

        var parameters = TestStripe.ParseForm(request.Method == HttpMethod.Post ? request.Body : request.Uri.Query);
        foreach (var (key, value) in parameters)
        {
            output.WriteLine($"{key}={value}");
        }

        var errors = new SpecParameterValidator(StripeSpec.Current).Validate(parameters, StripeSpec.ParameterSchema(request.Method, found.Value.Operation));
        Assert.True(errors.Count == 0, $"{testCase.Name}:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        if (testCase.Request is not null)
        {
            Assert.NotEmpty(parameters);
        }
    }

    [Fact]
    public void Every_representative_request_sets_every_property_so_every_parameter_is_checked()
    {
        foreach (var testCase in RequestCases.All.Where(c => c.FullyPopulated && c.Request is not null))
        {
            var unset = UnsetMembers(testCase.Request, testCase.Request!.GetType().Name).ToList();
            Assert.True(unset.Count == 0, $"{testCase.Name}: not set: {string.Join(", ", unset)}");
        }
    }

    [Fact]
    public void Every_request_type_has_a_fully_populated_case()
    {
        var requestTypes = typeof(IStripeClient).GetProperties()
            .SelectMany(p => p.PropertyType.GetMethods())
            .SelectMany(m => m.GetParameters())
            .Select(p => p.ParameterType)
            .Where(t => t.Name.EndsWith("Request", StringComparison.Ordinal))
            .ToHashSet();
        Assert.True(requestTypes.Count >= 14, "request types found by reflection: " + requestTypes.Count);
        var covered = RequestCases.All.Where(c => c.FullyPopulated && c.Request is not null).Select(c => c.Request!.GetType()).ToHashSet();

        Assert.Empty(requestTypes.Except(covered).Select(t => t.Name));
    }

    [Fact]
    public void Every_service_method_has_a_contract_case()
    {
        var methods = typeof(IStripeClient).GetProperties()
            .SelectMany(p => p.PropertyType.GetMethods().Select(m => $"{p.PropertyType.Name}.{m.Name}"))
            .ToHashSet();
        var covered = RequestCases.All.Select(c => c.Covers).ToHashSet();

        Assert.Empty(methods.Except(covered));
        Assert.Empty(covered.Except(methods));
    }

    private static IEnumerable<string> UnsetMembers(object? value, string path)
    {
        switch (value)
        {
            case null:
                yield return path;
                yield break;
            case string:
                yield break;
            case IDictionary dictionary:
                if (dictionary.Count == 0)
                {
                    yield return path + " (empty)";
                }

                yield break;
            case IEnumerable list:
                var index = 0;
                foreach (var item in list)
                {
                    foreach (var unset in UnsetMembers(item, $"{path}[{index++}]"))
                    {
                        yield return unset;
                    }
                }

                if (index == 0)
                {
                    yield return path + " (empty)";
                }

                yield break;
        }

        if (value.GetType().Assembly != typeof(StripeClient).Assembly)
        {
            yield break;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            foreach (var unset in UnsetMembers(property.GetValue(value), $"{path}.{property.Name}"))
            {
                yield return unset;
            }
        }
    }
}
