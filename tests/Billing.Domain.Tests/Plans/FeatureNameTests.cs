using Billing.Domain.Plans;

namespace Billing.Domain.Tests.Plans;

public sealed class FeatureNameTests
{
    [Theory]
    [InlineData("sso", true)]
    [InlineData("priority_support", true)]
    [InlineData("api2", true)]
    [InlineData("SSO", false)]
    [InlineData("priority-support", false)]
    [InlineData("_sso", false)]
    [InlineData("2fa", false)]
    [InlineData("sso\n", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Accepts_only_the_meter_name_shape(string? value, bool valid)
    {
        Assert.Equal(valid, FeatureName.TryParse(value, out var feature));
        Assert.Equal(valid ? value : string.Empty, feature.ToString());
    }

    [Fact]
    public void Names_are_at_most_64_characters()
    {
        Assert.True(FeatureName.TryParse("f" + new string('x', 63), out _));
        Assert.False(FeatureName.TryParse("f" + new string('x', 64), out _));
    }

    [Fact]
    public void Parse_rejects_invalid_names_and_default_values_are_unusable()
    {
        var error = Assert.Throws<ArgumentException>(() => FeatureName.Parse("Single Sign-On"));
        Assert.Contains("'Single Sign-On' is not a feature name", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => default(FeatureName).Value);
        Assert.Equal(FeatureName.Parse("sso"), FeatureName.Parse("sso"));
    }
}
