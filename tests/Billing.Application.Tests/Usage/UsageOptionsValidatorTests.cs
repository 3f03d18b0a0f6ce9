using Billing.Application.Usage;

namespace Billing.Application.Tests.Usage;

public sealed class UsageOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        var options = new UsageOptions();

        Assert.True(new UsageOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal([80, 100], options.EffectiveThresholds);
    }

    [Fact]
    public void Configured_thresholds_are_deduplicated_and_ordered()
    {
        Assert.Equal([25, 50, 90], new UsageOptions { Thresholds = [90, 25, 50, 90] }.EffectiveThresholds);
        Assert.Equal([80, 100], new UsageOptions { Thresholds = [] }.EffectiveThresholds);
    }

    public static TheoryData<UsageOptions, string> InvalidOptions => new()
    {
        { new() { LateWindow = TimeSpan.FromSeconds(59) }, "Billing:Usage:LateWindow must be between 00:01:00 and 31.00:00:00; got 00:00:59." },
        { new() { LateWindow = TimeSpan.FromDays(32), KeyRetention = TimeSpan.FromDays(90) }, "Billing:Usage:LateWindow must be between 00:01:00 and 31.00:00:00; got 32.00:00:00." },
        { new() { ClockSkew = TimeSpan.FromSeconds(-1) }, "Billing:Usage:ClockSkew must be between 00:00:00 and 00:10:00; got -00:00:01." },
        { new() { ClockSkew = TimeSpan.FromMinutes(11) }, "Billing:Usage:ClockSkew must be between 00:00:00 and 00:10:00; got 00:11:00." },
        { new() { Thresholds = [80, 0] }, "Billing:Usage:Thresholds must be percentages from 1 to 100; got 80, 0." },
        { new() { Thresholds = [101] }, "Billing:Usage:Thresholds must be percentages from 1 to 100; got 101." },
        { new() { KeyRetention = TimeSpan.FromDays(31) }, "Billing:Usage:KeyRetention must cover a whole period plus the late window (at least 32 days) and be at most 400 days; got 31.00:00:00." },
        { new() { LateWindow = TimeSpan.FromDays(14), KeyRetention = TimeSpan.FromDays(44) }, "(at least 45 days)" },
        { new() { KeyRetention = TimeSpan.FromDays(401) }, "Billing:Usage:KeyRetention must cover a whole period plus the late window (at least 32 days) and be at most 400 days; got 401.00:00:00." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Each_rule_names_the_setting_and_the_value(UsageOptions options, string message)
    {
        var result = new UsageOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(message, Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void The_boundaries_are_valid()
    {
        var validator = new UsageOptionsValidator();

        Assert.True(validator.Validate(null, new UsageOptions { LateWindow = TimeSpan.FromMinutes(1), ClockSkew = TimeSpan.Zero, Thresholds = [1, 100], KeyRetention = TimeSpan.FromMinutes(1) + TimeSpan.FromDays(31) }).Succeeded);
        Assert.True(validator.Validate(null, new UsageOptions { LateWindow = TimeSpan.FromDays(31), ClockSkew = TimeSpan.FromMinutes(10), KeyRetention = TimeSpan.FromDays(400) }).Succeeded);
    }

    [Fact]
    public void Every_failure_is_reported_at_once()
    {
        var result = new UsageOptionsValidator().Validate(null, new UsageOptions { LateWindow = TimeSpan.Zero, ClockSkew = TimeSpan.FromHours(1), Thresholds = [0], KeyRetention = TimeSpan.Zero });

        Assert.Equal(4, result.Failures!.Count());
    }
}
