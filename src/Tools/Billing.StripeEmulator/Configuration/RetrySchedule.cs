using System.Globalization;

namespace Billing.StripeEmulator.Configuration;

/// <summary>Parses `Emulator:WebhookRetrySchedule` ("1,2,4" or "0.2, 0.5") into delays.</summary>
internal static class RetrySchedule
{
    public static bool TryParse(string? text, out IReadOnlyList<TimeSpan> delays, out string? error)
    {
        var result = new List<TimeSpan>();
        delays = result;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > 86400)
            {
                error = $"'{part}' is not a delay in seconds between 0 and 86400";
                return false;
            }

            result.Add(TimeSpan.FromSeconds(seconds));
        }

        return true;
    }

    public static IReadOnlyList<TimeSpan> Parse(string? text) =>
        TryParse(text, out var delays, out var error) ? delays : throw new FormatException(error);
}
