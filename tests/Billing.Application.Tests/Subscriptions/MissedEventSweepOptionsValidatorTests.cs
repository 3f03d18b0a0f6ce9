using Billing.Application.Subscriptions;

namespace Billing.Application.Tests.Subscriptions;

public sealed class MissedEventSweepOptionsValidatorTests
{
    private static readonly MissedEventSweepOptionsValidator Validator = new();

    [Fact]
    public void The_defaults_are_valid_and_leave_a_minute_of_the_function_timeout()
    {
        var defaults = new MissedEventSweepOptions();

        Assert.True(Validator.Validate(null, defaults).Succeeded);
        Assert.Equal((TimeSpan.FromMinutes(4), 4), (defaults.TimeBudget, defaults.Parallelism));
        Assert.Equal(TimeSpan.FromMinutes(1), MissedEventSweepOptions.FunctionTimeout - defaults.TimeBudget);
    }

    [Theory]
    [InlineData("00:00:01", true)]
    [InlineData("00:04:30", true)] // the function timeout (00:05:00) less the 30 s margin
    [InlineData("00:00:00", false)]
    [InlineData("-00:01:00", false)]
    [InlineData("00:04:30.001", false)]
    [InlineData("00:05:00", false)] // the host would stop the run before it writes its last batch's position
    [InlineData("00:10:00", false)]
    public void The_time_budget_must_be_positive_and_leave_a_margin_below_the_function_timeout(string budget, bool valid)
    {
        var result = Validator.Validate(null, new MissedEventSweepOptions { TimeBudget = TimeSpan.Parse(budget, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Billing:MissedEventSweep:TimeBudget must be positive and at most 00:04:30", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("00:00:00", 1, true)]
    [InlineData("7.00:00:00", 1_000, true)]
    [InlineData("-00:00:01", 100, false)]
    [InlineData("7.00:00:01", 100, false)]
    [InlineData("02:00:00", 0, false)]
    [InlineData("02:00:00", 1_001, false)]
    public void Grace_must_be_between_zero_and_seven_days_and_the_batch_size_between_1_and_1000(string grace, int batchSize, bool valid)
    {
        var result = Validator.Validate(null, new MissedEventSweepOptions { Grace = TimeSpan.Parse(grace, System.Globalization.CultureInfo.InvariantCulture), BatchSize = batchSize });

        Assert.Equal(valid, result.Succeeded);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(16, true)]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    [InlineData(17, false)]
    public void Parallelism_must_be_between_1_and_16(int parallelism, bool valid)
    {
        var result = Validator.Validate(null, new MissedEventSweepOptions { Parallelism = parallelism });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Billing:MissedEventSweep:Parallelism must be between 1 and 16", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
