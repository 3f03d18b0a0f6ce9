using Billing.Cosmos.Client;
using Billing.Cosmos.Serialization;
using Microsoft.Azure.Cosmos;

namespace Billing.Cosmos.Tests.Client;

public sealed class CosmosCertificatePolicyTests
{
    [Theory]
    [InlineData("https://127.0.0.1:8081/")]
    [InlineData("https://localhost:8081/")]
    [InlineData("https://LOCALHOST:8081/")]
    [InlineData("https://[::1]:8081/")]
    [InlineData("https://127.0.0.5:443/")]
    public void Loopback_endpoints_may_use_a_self_signed_certificate(string endpoint)
    {
        Assert.True(CosmosCertificatePolicy.MayRelaxValidation(new Uri(endpoint)));
        var options = CosmosClientFactory.CreateClientOptions(new Uri(endpoint));
        Assert.NotNull(options.ServerCertificateCustomValidationCallback);
        Assert.NotNull(options.HttpClientFactory);
    }

    [Theory]
    [InlineData("https://my-account.documents.azure.com:443/")]
    [InlineData("https://localhost.evil.example:443/")]
    [InlineData("https://127.0.0.1.nip.io:8081/")]
    [InlineData("https://10.0.0.4:8081/")]
    [InlineData("https://[2001:db8::1]:8081/")]
    [InlineData("https://my-localhost:8081/")]
    public void Other_endpoints_are_validated_normally(string endpoint)
    {
        Assert.False(CosmosCertificatePolicy.MayRelaxValidation(new Uri(endpoint)));
        var options = CosmosClientFactory.CreateClientOptions(new Uri(endpoint));
        Assert.Null(options.ServerCertificateCustomValidationCallback);
        Assert.Null(options.HttpClientFactory); // the SDK's own, fully validating HTTP client
    }

    [Fact]
    public void Client_options_use_gateway_mode_one_endpoint_and_system_text_json()
    {
        var options = CosmosClientFactory.CreateClientOptions(new Uri("https://my-account.documents.azure.com:443/"));

        Assert.Equal(ConnectionMode.Gateway, options.ConnectionMode);
        Assert.True(options.LimitToEndpoint);
        Assert.IsType<SystemTextJsonCosmosSerializer>(options.Serializer);
    }
}
