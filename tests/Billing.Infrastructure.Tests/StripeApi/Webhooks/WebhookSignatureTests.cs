using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Billing.Infrastructure.StripeApi.Webhooks;
using Billing.TestSupport;

namespace Billing.Infrastructure.Tests.StripeApi.Webhooks;

public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_test_secret";
    private const string OldSecret = "whsec_old_rolled_secret";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("""{"id":"evt_1","object":"event"}""");

    private readonly FakeTimeProvider clock = new(Now);

    [Fact]
    public void Signature_matches_an_independently_computed_vector()
    {
        // HMAC-SHA256(key = "whsec_test_secret" as UTF-8, message = "1700000000." + payload), computed with Python's hmac module.
        Assert.Equal("0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd", StripeSigner.Signature(Secret, 1_700_000_000, Payload));
    }

    [Fact]
    public void Signature_uses_the_whole_secret_as_key_and_the_timestamp_dot_body_as_message()
    {
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), (byte[])[.. "1700000123."u8, .. Payload]));

        Assert.Equal("t=1700000123,v1=" + expected, StripeSigner.Header(DateTimeOffset.FromUnixTimeSeconds(1_700_000_123), Payload, Secret));
    }

    [Fact]
    public void A_valid_signature_is_accepted()
    {
        var result = Verifier().Verify(Payload, StripeSigner.Header(Now, Payload, Secret));

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(WebhookVerificationFailure.None, result.Failure);
        Assert.Equal(Now, result.Timestamp);
    }

    [Fact]
    public void A_tampered_body_is_rejected()
    {
        var header = StripeSigner.Header(Now, Payload, Secret);
        var tampered = (byte[])Payload.Clone();
        tampered[^3] ^= 0x01;

        var result = Verifier().Verify(tampered, header);

        Assert.Equal(WebhookVerificationFailure.NoMatchingSignature, result.Failure);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void A_body_with_one_extra_byte_is_rejected()
    {
        var header = StripeSigner.Header(Now, Payload, Secret);

        Assert.Equal(WebhookVerificationFailure.NoMatchingSignature, Verifier().Verify([.. Payload, (byte)'\n'], header).Failure);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(-3600)]
    [InlineData(301)]
    [InlineData(86_400)]
    public void Stale_and_future_timestamps_are_rejected(int offsetSeconds)
    {
        var header = StripeSigner.Header(Now.AddSeconds(offsetSeconds), Payload, Secret);

        var result = Verifier().Verify(Payload, header);

        Assert.Equal(WebhookVerificationFailure.TimestampOutsideTolerance, result.Failure);
        Assert.Equal(Now.AddSeconds(offsetSeconds), result.Timestamp);
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    [InlineData(0)]
    public void Timestamps_at_the_tolerance_edge_are_accepted(int offsetSeconds)
    {
        Assert.True(Verifier().Verify(Payload, StripeSigner.Header(Now.AddSeconds(offsetSeconds), Payload, Secret)).IsValid);
    }

    [Fact]
    public void Tolerance_is_configurable_and_follows_the_injected_clock()
    {
        var header = StripeSigner.Header(Now, Payload, Secret);
        var verifier = Verifier(tolerance: TimeSpan.FromSeconds(10));

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(verifier.Verify(Payload, header).IsValid);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(WebhookVerificationFailure.TimestampOutsideTolerance, verifier.Verify(Payload, header).Failure);
    }

    [Fact]
    public void Any_of_several_v1_signatures_may_match()
    {
        var good = StripeSigner.Signature(Secret, Now.ToUnixTimeSeconds(), Payload);
        var other = StripeSigner.Signature("whsec_someone_else", Now.ToUnixTimeSeconds(), Payload);

        var result = Verifier().Verify(Payload, $"t={Now.ToUnixTimeSeconds()},v1={other},v1={good},v0={other}");

        Assert.True(result.IsValid, result.Reason);
    }

    [Fact]
    public void A_v0_signature_alone_is_not_enough()
    {
        var good = StripeSigner.Signature(Secret, Now.ToUnixTimeSeconds(), Payload);

        Assert.Equal(WebhookVerificationFailure.MalformedHeader, Verifier().Verify(Payload, $"t={Now.ToUnixTimeSeconds()},v0={good}").Failure);
    }

    [Fact]
    public void Every_configured_secret_is_tried_while_a_secret_is_rotated()
    {
        var verifier = Verifier(Secret, OldSecret);

        Assert.True(verifier.Verify(Payload, StripeSigner.Header(Now, Payload, OldSecret)).IsValid);
        Assert.True(verifier.Verify(Payload, StripeSigner.Header(Now, Payload, Secret)).IsValid);
        Assert.Equal(WebhookVerificationFailure.NoMatchingSignature, verifier.Verify(Payload, StripeSigner.Header(Now, Payload, "whsec_unknown")).Failure);
    }

    [Fact]
    public void A_header_signed_with_old_and_new_secrets_passes_with_either_configured()
    {
        var header = StripeSigner.Header(Now, Payload, OldSecret, Secret);

        Assert.Equal(2, header.Split(",v1=").Length - 1);
        Assert.True(Verifier(Secret).Verify(Payload, header).IsValid);
        Assert.True(Verifier(OldSecret).Verify(Payload, header).IsValid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_missing_header_is_reported(string? header)
    {
        var result = Verifier().Verify(Payload, header);

        Assert.Equal(WebhookVerificationFailure.MissingHeader, result.Failure);
        Assert.Contains("missing", result.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("t=1700000000")]
    [InlineData("v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd")]
    [InlineData("t=abc,v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd")]
    [InlineData("t=-5,v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd")]
    [InlineData("t=,v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd")]
    [InlineData("t=99999999999999999999999,v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd")]
    [InlineData("t=1700000000;v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd")]
    public void A_malformed_header_is_reported(string header)
    {
        Assert.Equal(WebhookVerificationFailure.MalformedHeader, Verifier().Verify(Payload, header).Failure);
    }

    [Fact]
    public void The_first_timestamp_is_the_signed_one_and_a_later_t_item_is_ignored()
    {
        var header = StripeSigner.Header(Now, Payload, Secret) + $",t={Now.AddSeconds(10).ToUnixTimeSeconds()}";

        var result = Verifier().Verify(Payload, header);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(Now, result.Timestamp);
    }

    [Theory]
    [InlineData("0000000001700000000", WebhookVerificationFailure.None)] // 19 digits: the most a timestamp may have
    [InlineData("00000000001700000000", WebhookVerificationFailure.MalformedHeader)] // 20 digits, though signed over them
    public void A_timestamp_of_more_than_19_digits_is_malformed_even_when_signed(string digits, WebhookVerificationFailure expected)
    {
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), (byte[])[.. Encoding.ASCII.GetBytes(digits + "."), .. Payload]));

        Assert.Equal(expected, Verifier().Verify(Payload, $"t={digits},v1={signature}").Failure);
    }

    [Theory]
    [InlineData("0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6ed")] // one hex digit short
    [InlineData("0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6eddaa")] // too long
    [InlineData("zz8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd")] // not hex
    [InlineData("")]
    public void Signatures_that_are_not_32_bytes_of_hex_never_match(string v1)
    {
        Assert.Equal(WebhookVerificationFailure.NoMatchingSignature, Verifier().Verify(Payload, $"t=1700000000,v1={v1}").Failure);
    }

    [Fact]
    public void The_known_vector_verifies_and_spaces_around_items_are_tolerated()
    {
        var result = Verifier().Verify(Payload, "t=1700000000, v1=0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd");

        Assert.True(result.IsValid, result.Reason);
    }

    [Fact]
    public void Many_secrets_are_supported()
    {
        var secrets = Enumerable.Range(0, 12).Select(i => "whsec_s" + i).ToArray();

        Assert.True(Verifier(secrets).Verify(Payload, StripeSigner.Header(Now, Payload, secrets[^1])).IsValid);
    }

    [Fact]
    public void Verification_does_not_allocate_per_payload_byte()
    {
        var payload = Encoding.UTF8.GetBytes(new string('x', 64 * 1024));
        var verifier = Verifier(OldSecret, Secret);
        var header = StripeSigner.Header(Now, payload, Secret);
        Assert.True(verifier.Verify(payload, header).IsValid);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            verifier.Verify(payload, header);
        }

        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        Assert.True(perCall < 1024, $"Verify allocated {perCall} bytes per call for a 64 KiB payload (pooled buffers expected)");
    }

    [Fact]
    public void A_verifier_needs_secrets_without_whitespace_and_a_positive_tolerance()
    {
        var none = Assert.Throws<ArgumentException>(() => new StripeWebhookVerifier([], TimeSpan.FromMinutes(5), clock));
        Assert.Contains("At least one", none.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new StripeWebhookVerifier(["whsec with space"], TimeSpan.FromMinutes(5), clock));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StripeWebhookVerifier([Secret], TimeSpan.Zero, clock));
    }

    private StripeWebhookVerifier Verifier(params string[] secrets) => Verifier(null, secrets);

    private StripeWebhookVerifier Verifier(TimeSpan? tolerance, params string[] secrets) =>
        new(secrets.Length == 0 ? [Secret] : secrets, tolerance ?? TimeSpan.FromMinutes(5), clock);
}
