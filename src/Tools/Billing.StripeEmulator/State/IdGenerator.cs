using System.Security.Cryptography;

namespace Billing.StripeEmulator.State;

/// <summary>Stripe-looking ids: a type prefix and random base62 characters (`cus_Qx...`, `cs_test_a1...`).</summary>
internal static class IdGenerator
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string New(string prefix, int length = 24) => $"{prefix}_{Random(length)}";

    public static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);

    public static string Customer() => New("cus", 14);

    public static string CheckoutSession() => $"cs_test_a1{Random(56)}";

    public static string Request() => New("req", 14);

    public static string InvoicePrefix() => RandomNumberGenerator.GetString("0123456789ABCDEF", 8);
}
