using Billing.FunctionApp.Http;

namespace Billing.FunctionApp.Tests.Http;

public sealed class ServiceAuthOptionsValidatorTests
{
    private const string Hash = "b21cd3df75e4b72fc266c8657311dbe9d0a5c322ba28998dddefb66146f2f01a";

    [Fact]
    public void No_keys_and_the_default_scope_are_valid()
    {
        var options = new ServiceAuthOptions();

        Assert.Equal("billing.usage", options.Scope);
        Assert.Empty(Errors(options));
    }

    [Fact]
    public void Named_keys_with_hashes_in_either_case_are_valid() =>
        Assert.Empty(Errors(Options(("usage", Hash), ("reports", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"))));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_key_needs_a_name(string name) =>
        Assert.Equal(["Billing:ServiceAuth:ApiKeys:0:Name is required (the calling service's name, for logs)."], Errors(Options((name, Hash))));

    [Fact]
    public void Names_are_unique_ignoring_case() =>
        Assert.Equal(
            ["Billing:ServiceAuth:ApiKeys:1:Name 'Usage' is used by another key; names must be unique."],
            Errors(Options(("usage", Hash), ("Usage", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))));

    [Theory]
    [InlineData("")]
    [InlineData("b21cd3df75e4b72fc266c8657311dbe9d0a5c322ba28998dddefb66146f2f01")]
    [InlineData("b21cd3df75e4b72fc266c8657311dbe9d0a5c322ba28998dddefb66146f2f01a0")]
    [InlineData("g21cd3df75e4b72fc266c8657311dbe9d0a5c322ba28998dddefb66146f2f01a")]
    [InlineData(" 21cd3df75e4b72fc266c8657311dbe9d0a5c322ba28998dddefb66146f2f01a")]
    [InlineData("local-development-usage-key")]
    public void A_hash_is_64_hex_characters(string sha256) =>
        Assert.Equal(
            ["Billing:ServiceAuth:ApiKeys:0:Sha256 must be the hex SHA-256 of the key (64 hex characters); create one with 'billing apikey new'."],
            Errors(Options(("usage", sha256))));

    [Fact]
    public void A_hash_is_configured_once_whatever_its_case() =>
        Assert.Equal(
            ["Billing:ServiceAuth:ApiKeys:1:Sha256 is the hash of another configured key; each key must be configured once."],
            Errors(Options(("usage", Hash), ("reports", Hash.ToUpperInvariant()))));

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("billing.usage billing.admin")]
    [InlineData("billing.usage\t")]
    public void The_scope_is_one_word(string scope) =>
        Assert.Equal(
            ["Billing:ServiceAuth:Scope must be one scope name without spaces (default billing.usage)."],
            Errors(new ServiceAuthOptions { Scope = scope }));

    [Fact]
    public void Client_ids_are_one_word_each_listed_once()
    {
        Assert.Empty(Errors(new ServiceAuthOptions { ClientIds = { "product-backend", "11111111-2222-3333-4444-555555555555" } }));
        Assert.Equal(
            [
                "Billing:ServiceAuth:ClientIds:0 must be a client id (1..256 characters, no spaces).",
                "Billing:ServiceAuth:ClientIds:1 must be a client id (1..256 characters, no spaces).",
                "Billing:ServiceAuth:ClientIds:3 'product-backend' is listed twice.",
            ],
            Errors(new ServiceAuthOptions { ClientIds = { " ", "two words", "product-backend", "product-backend" } }));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = Options(("", "abc"), ("usage", Hash));
        options.Scope = "";

        Assert.Equal(3, Errors(options).Count);
    }

    [Theory]
    [InlineData(Hash)]
    [InlineData("B21CD3DF75E4B72FC266C8657311DBE9D0A5C322BA28998DDDEFB66146F2F01A")]
    public void Outside_Development_the_published_development_keys_hash_is_refused(string sha256)
    {
        var result = new ServiceAuthOptionsValidator(isDevelopment: false).Validate(null, Options(("usage", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), ("local", sha256)));

        Assert.Equal(
            ["Billing:ServiceAuth:ApiKeys:1:Sha256 is the hash of the published development key (local-development-usage-key), accepted only in the Development environment; create a key with 'billing apikey new'."],
            result.Failures);
        Assert.Equal(ServiceAuthOptionsValidator.DevelopmentKeyHash, ServiceCallerCheck.Hash("local-development-usage-key"));
    }

    private static ServiceAuthOptions Options(params (string Name, string Sha256)[] keys)
    {
        var options = new ServiceAuthOptions();
        foreach (var (name, sha256) in keys)
        {
            options.ApiKeys.Add(new ServiceApiKeyOptions { Name = name, Sha256 = sha256 });
        }

        return options;
    }

    private static List<string> Errors(ServiceAuthOptions options)
    {
        var result = new ServiceAuthOptionsValidator(isDevelopment: true).Validate(null, options);
        return result.Failed ? [.. result.Failures!] : [];
    }
}
