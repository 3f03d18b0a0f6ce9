using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Billing.Benchmarks.Events;
using Billing.Stripe.Webhooks;

namespace Billing.Benchmarks.Signature;

/// <summary>
/// In-process cost per webhook event of <see cref="StripeWebhookVerifier.Verify"/> and
/// <see cref="StripeWebhookVerifier.VerifyAndParse"/>, with one signing secret and with two (a secret roll: two
/// <c>v1</c> signatures in the header, two HMACs to compute), against the irreducible cost: one HMAC-SHA256 over
/// the same signed bytes (<c>"{t}." + body</c>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortRunConfig))]
public class SignatureBenchmarks // not sealed: BenchmarkDotNet derives from it
{
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1_763_700_000);

    private readonly byte[] _hash = new byte[HMACSHA256.HashSizeInBytes];
    private byte[] _body = [];
    private byte[] _signedBytes = [];
    private byte[] _firstSecretKey = [];
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
        var secrets = Enumerable.Range(1, Secrets).Select(i => $"whsec_benchmark_secret_{i}_0123456789abcdef").ToList();
        var options = new StripeWebhookOptions();
        foreach (var secret in secrets)
        {
            options.Secrets.Add(secret);
        }

        _verifier = new StripeWebhookVerifier(options, new FixedTimeProvider(SignedAt));
        _header = StripeSignature.ComputeHeader(SignedAt, _body, secrets);
        _signedBytes = [.. Encoding.ASCII.GetBytes(SignedAt.ToUnixTimeSeconds() + "."), .. _body];
        _firstSecretKey = Encoding.UTF8.GetBytes(secrets[0]);

        // A benchmark of a rejected request would measure the wrong path: fail loudly instead.
        var check = _verifier.VerifyAndParse(_body, _header);
        if (!check.IsValid)
        {
            throw new InvalidOperationException($"The benchmark body does not verify: {check.Reason}");
        }

        Console.WriteLine($"// {Body}: {_body.Length} bytes from {bodies.Source}; {Secrets} secret(s)");
    }

    [Benchmark(Baseline = true, Description = "HMAC-SHA256 only")]
    public byte RawHmacSha256()
    {
        HMACSHA256.HashData(_firstSecretKey, _signedBytes, _hash);
        return _hash[0];
    }

    [Benchmark]
    public bool Verify() => _verifier.Verify(_body, _header).IsValid;

    [Benchmark]
    public bool VerifyAndParse() => _verifier.VerifyAndParse(_body, _header).IsValid;
}
