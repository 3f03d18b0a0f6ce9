using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Billing.Benchmarks.Events;
using Billing.Infrastructure.StripeApi.Webhooks;
using Billing.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Stripe;

namespace Billing.Benchmarks.Signature;

/// <summary>
/// In-process cost per webhook event of what the ingest needs (signature check, then the event's id, type, created,
/// livemode and api_version), done two ways on the same bodies:
/// (a) the project's <see cref="StripeWebhookVerifier.Verify"/> over the raw bytes plus <see cref="StripeEventEnvelope.TryParse"/>;
/// (b) Stripe.net's <see cref="EventUtility.ConstructEvent(string, string, string, long, long, bool)"/> (with the
/// injected "now"), once given the body as a string and once including the UTF-8 decode the request bytes need.
/// With two secrets (a rotation) the header is signed with the second one only: (a) computes two HMACs in one call,
/// (b) tries the first secret, catches its exception and tries the second. Baseline: one HMAC-SHA256 over the signed bytes.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortRunConfig))]
public class SignatureBenchmarks // not sealed: BenchmarkDotNet derives from it
{
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1_763_700_000);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private readonly byte[] _hash = new byte[HMACSHA256.HashSizeInBytes];
    private byte[] _body = [];
    private string _json = "";
    private byte[] _signedBytes = [];
    private byte[] _signingKey = [];
    private string[] _secrets = [];
    private string _header = "";
    private StripeWebhookVerifier _verifier = null!;

    [Params(EventBody.Small, EventBody.SubscriptionUpdated)]
    public EventBody Body { get; set; }

    [Params(1, 2)]
    public int Secrets { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var bodies = StripeEventBodies.Load();
        _body = bodies.Create(Body, "evt_1BenchSignature00000001", SignedAt);
        _json = Encoding.UTF8.GetString(_body);
        _secrets = Enumerable.Range(1, Secrets).Select(i => $"whsec_benchmark_secret_{i}_0123456789abcdef").ToArray();
        _verifier = new StripeWebhookVerifier(_secrets, Tolerance, new FakeTimeProvider(SignedAt));
        _header = StripeSigner.Header(SignedAt, _body, _secrets[^1]);
        _signedBytes = [.. Encoding.ASCII.GetBytes(SignedAt.ToUnixTimeSeconds() + "."), .. _body];
        _signingKey = Encoding.UTF8.GetBytes(_secrets[^1]);

        // A benchmark of a rejected request would measure the wrong path: fail loudly instead.
        if (!OwnVerifyAndEnvelope() || !StripeNetConstructEvent() || !StripeNetConstructEventFromBytes())
        {
            throw new InvalidOperationException("The benchmark body does not verify on every path.");
        }

        Console.WriteLine($"// {Body}: {_body.Length} bytes from {bodies.Source}; {Secrets} secret(s)");
    }

    [Benchmark(Baseline = true, Description = "HMAC-SHA256 only")]
    public byte RawHmacSha256()
    {
        HMACSHA256.HashData(_signingKey, _signedBytes, _hash);
        return _hash[0];
    }

    [Benchmark(Description = "(a) own Verify")]
    public bool OwnVerify() => _verifier.Verify(_body, _header).IsValid;

    [Benchmark(Description = "(a) own Verify + envelope")]
    public bool OwnVerifyAndEnvelope() =>
        _verifier.Verify(_body, _header).IsValid && StripeEventEnvelope.TryParse(_body, out var envelope) && envelope.Id.Length > 0;

    [Benchmark(Description = "(b) Stripe.net ConstructEvent")]
    public bool StripeNetConstructEvent() => ConstructEvent(_json) is not null;

    [Benchmark(Description = "(b) Stripe.net ConstructEvent + UTF-8 decode")]
    public bool StripeNetConstructEventFromBytes() => ConstructEvent(Encoding.UTF8.GetString(_body)) is not null;

    /// <summary>What a receiver holding several secrets has to do with Stripe.net: try each, catching the failures.</summary>
    private Event? ConstructEvent(string json)
    {
        foreach (var secret in _secrets)
        {
            try
            {
                return EventUtility.ConstructEvent(json, _header, secret, (long)Tolerance.TotalSeconds, SignedAt.ToUnixTimeSeconds(), throwOnApiVersionMismatch: false);
            }
            catch (StripeException)
            {
                // not this secret: try the next
            }
        }

        return null;
    }
}
