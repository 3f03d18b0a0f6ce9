using Billing.QueueStorage.Configuration;
using Billing.TestSupport;

namespace Billing.QueueStorage.Tests.Configuration;

public sealed class StorageConnectionStringTests
{
    private const string Key = "c2VjcmV0LWtleS1ieXRlcy0wMTIzNDU2Nzg5"; // Base64 of "secret-key-bytes-0123456789"

    [Fact]
    public void Azurite_style_string_uses_its_explicit_queue_endpoint()
    {
        var parsed = StorageConnectionString.Parse(LocalEmulators.AzuriteConnectionString(10123));

        Assert.Equal(new Uri("http://127.0.0.1:10123/devstoreaccount1"), parsed.QueueEndpoint);
        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.Equal(Convert.FromBase64String(LocalEmulators.AzuriteAccountKey), parsed.AccountKey);
    }

    [Fact]
    public void UseDevelopmentStorage_means_the_well_known_Azurite_account()
    {
        var parsed = StorageConnectionString.Parse("UseDevelopmentStorage=true");

        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), parsed.QueueEndpoint);
        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.Equal(Convert.FromBase64String(LocalEmulators.AzuriteAccountKey), parsed.AccountKey);
    }

    [Theory]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=" + Key + ";EndpointSuffix=core.windows.net", "https://acme.queue.core.windows.net/")]
    [InlineData("AccountName=acme;AccountKey=" + Key, "https://acme.queue.core.windows.net/")]
    [InlineData("DefaultEndpointsProtocol=http;AccountName=acme;AccountKey=" + Key, "http://acme.queue.core.windows.net/")]
    [InlineData("accountname=acme; ACCOUNTKEY=" + Key + " ;EndpointSuffix=core.chinacloudapi.cn;", "https://acme.queue.core.chinacloudapi.cn/")]
    [InlineData("BlobEndpoint=https://acme.blob.core.windows.net;AccountName=acme;AccountKey=" + Key + ";QueueEndpoint=https://queues.example.test/acme", "https://queues.example.test/acme")]
    public void Real_account_strings_give_the_queue_endpoint(string connectionString, string expectedEndpoint)
    {
        var parsed = StorageConnectionString.Parse(connectionString);

        Assert.Equal(new Uri(expectedEndpoint), parsed.QueueEndpoint);
        Assert.Equal("acme", parsed.AccountName);
        Assert.Equal("secret-key-bytes-0123456789"u8.ToArray(), parsed.AccountKey);
    }

    [Theory]
    [InlineData("AccountName=acme", "'AccountKey' is missing")]
    [InlineData("AccountName=acme;AccountKey=", "'AccountKey' is missing")]
    [InlineData("AccountKey=" + Key, "'AccountName' is missing")]
    [InlineData("AccountName=acme;AccountKey=not*base64" + Key, "'AccountKey' is not valid Base64")]
    [InlineData("AccountName=acme;" + Key, "segment 2 is not of the form Key=Value")]
    [InlineData("AccountName=acme;AccountName=other;AccountKey=" + Key, "'AccountName' appears more than once")]
    [InlineData("DefaultEndpointsProtocol=ftp;AccountName=acme;AccountKey=" + Key, "'DefaultEndpointsProtocol' must be 'http' or 'https'")]
    [InlineData("AccountName=acme;AccountKey=" + Key + ";QueueEndpoint=not a uri", "'QueueEndpoint' must be an absolute http or https URI")]
    [InlineData("QueueEndpoint=https://acme.queue.core.windows.net;SharedAccessSignature=sv=2024&sig=" + Key, "SharedAccessSignature connection strings are not supported")]
    [InlineData("UseDevelopmentStorage=false", "UseDevelopmentStorage must be 'true'")]
    public void Malformed_strings_are_refused_with_a_message_that_never_echoes_the_key(string connectionString, string expectedMessage)
    {
        var error = Assert.Throws<FormatException>(() => StorageConnectionString.Parse(connectionString));

        Assert.Contains(expectedMessage, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Blank_string_is_an_argument_error(string connectionString) =>
        Assert.Throws<ArgumentException>(() => StorageConnectionString.Parse(connectionString));

    [Fact]
    public void ToString_leaves_the_key_out()
    {
        var parsed = StorageConnectionString.Parse("AccountName=acme;AccountKey=" + Key);

        Assert.Equal("AccountName=acme;QueueEndpoint=https://acme.queue.core.windows.net/", parsed.ToString());
    }

    [Fact]
    public void The_public_factory_reports_the_same_errors()
    {
        var error = Assert.Throws<FormatException>(() => QueueServiceClient.FromConnectionString("AccountName=acme"));

        Assert.Contains("'AccountKey' is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_public_factory_exposes_the_parsed_queue_endpoint()
    {
        var client = QueueServiceClient.FromConnectionString("UseDevelopmentStorage=true");

        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), client.QueueServiceUri);
    }
}
