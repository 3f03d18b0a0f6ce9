using Billing.Application.Invoicing;

namespace Billing.Application.Tests.Invoicing;

public sealed class InvoicingOptionsValidatorTests
{
    private static readonly string[] Points =
        ["Computed", "DraftCreated", "DraftCreatedUnsaved", "ItemsCreated", "ItemsCreatedUnsaved", "Finalized", "FinalizedUnsaved"];

    private readonly InvoicingOptionsValidator _validator = new();

    [Fact]
    public void The_defaults_are_valid()
    {
        var options = new InvoicingOptions();

        Assert.True(_validator.Validate(null, options).Succeeded);
        Assert.Equal(35, options.LookbackDays);
        Assert.Equal(TimeSpan.FromMinutes(10), options.SettleTime);
        Assert.Null(options.FailOnceAt);
        Assert.False(options.AllowTestFaults);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(35)]
    [InlineData(400)]
    public void A_look_back_from_1_to_400_days_is_valid(int days) =>
        Assert.True(_validator.Validate(null, new InvoicingOptions { LookbackDays = days }).Succeeded);

    [Theory]
    [InlineData("00:00:00", true)]
    [InlineData("00:10:00", true)]
    [InlineData("1.00:00:00", true)]
    [InlineData("-00:00:01", false)]
    [InlineData("1.00:00:01", false)]
    public void A_settle_time_from_0_to_1_day_is_valid(string settleTime, bool valid)
    {
        var result = _validator.Validate(null, new InvoicingOptions { SettleTime = TimeSpan.Parse(settleTime, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.StartsWith("Billing:Invoicing:SettleTime must be between 00:00:00 and 1.00:00:00", Assert.Single(result.Failures!), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(401)]
    public void A_look_back_outside_1_to_400_days_is_refused(int days)
    {
        var result = _validator.Validate(null, new InvoicingOptions { LookbackDays = days });

        Assert.True(result.Failed);
        Assert.Equal($"Billing:Invoicing:LookbackDays must be between 1 and 400; got {days}.", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Every_fault_point_is_accepted_where_the_host_allows_test_faults()
    {
        var result = _validator.Validate(null, new InvoicingOptions { AllowTestFaults = true, FailOnceAt = Points });

        Assert.True(result.Succeeded, string.Join(" | ", result.Failures ?? []));
        Assert.All(Points, p => Assert.True(InvoicingOptions.IsFaultPoint(p), p));
    }

    [Fact]
    public void Fault_points_are_refused_outside_Development()
    {
        var result = _validator.Validate(null, new InvoicingOptions { AllowTestFaults = false, FailOnceAt = ["DraftCreated"] });

        Assert.True(result.Failed);
        Assert.Contains("only accepted in the Development environment", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void No_fault_points_need_no_permission()
    {
        Assert.True(_validator.Validate(null, new InvoicingOptions { FailOnceAt = [] }).Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Unsaved")]
    [InlineData("ComputedUnsaved")] // the run is created, not saved over: there is no such moment
    [InlineData("Recorded")]
    [InlineData("RecordedUnsaved")]
    [InlineData("NothingToBill")]
    [InlineData("draftcreated")]
    [InlineData("DraftCreatedunsaved")]
    [InlineData("Drafted")]
    [InlineData("2")] // DraftCreated's number: it would never match a step's name, so the fault would never happen
    [InlineData("4Unsaved")]
    [InlineData(" DraftCreated")]
    [InlineData("Computed, DraftCreated")] // read as flags, it would be ItemsCreated
    public void Unknown_fault_points_are_refused_by_name(string point)
    {
        var result = _validator.Validate(null, new InvoicingOptions { AllowTestFaults = true, FailOnceAt = ["DraftCreated", point] });

        Assert.True(result.Failed);
        Assert.Contains($"'{point}' is not a fault point", Assert.Single(result.Failures!), StringComparison.Ordinal);
        Assert.False(InvoicingOptions.IsFaultPoint(point));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var result = _validator.Validate(null, new InvoicingOptions { LookbackDays = 0, FailOnceAt = ["Nope", "Recorded"] });

        Assert.Equal(4, result.Failures!.Count());
    }
}
