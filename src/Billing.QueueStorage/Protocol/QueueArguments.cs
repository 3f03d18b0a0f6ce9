using System.Globalization;

namespace Billing.QueueStorage.Protocol;

/// <summary>Argument checks done before anything is sent, with messages that say what is allowed.</summary>
internal static class QueueArguments
{
    private const int MinQueueNameLength = 3;
    private const int MaxQueueNameLength = 63;

    /// <summary>Queue names: 3-63 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    public static string QueueName(string queueName, string paramName)
    {
        ArgumentNullException.ThrowIfNull(queueName, paramName);
        var problem = QueueNameProblem(queueName);
        return problem is null
            ? queueName
            : throw new ArgumentException($"'{queueName}' is not a valid queue name: {problem}", paramName);
    }

    public static void NotBlank(string value, string paramName) => ArgumentException.ThrowIfNullOrWhiteSpace(value, paramName);

    public static int MessageCount(int maxMessages, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, QueueStorageProtocol.MinMessagesPerRequest, paramName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, QueueStorageProtocol.MaxMessagesPerRequest, paramName);
        return maxMessages;
    }

    /// <summary>A whole number of seconds between <paramref name="min"/> and 7 days.</summary>
    public static int VisibilitySeconds(TimeSpan value, TimeSpan min, string paramName)
    {
        if (value < min || value > QueueStorageProtocol.MaxVisibilityTimeout)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"Must be between {min} and {QueueStorageProtocol.MaxVisibilityTimeout} (7 days).");
        }

        return WholeSeconds(value, paramName);
    }

    /// <summary>messagettl: -1 for <see cref="Timeout.InfiniteTimeSpan"/> or <see cref="TimeSpan.MaxValue"/>, otherwise at least one whole second.</summary>
    public static int TimeToLiveSeconds(TimeSpan value, string paramName)
    {
        if (value == Timeout.InfiniteTimeSpan || value == TimeSpan.MaxValue)
        {
            return QueueStorageProtocol.NeverExpiresTtlSeconds;
        }

        if (value < TimeSpan.FromSeconds(1) || value.TotalSeconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"Must be at least one second and at most {int.MaxValue} seconds, or {nameof(QueueClient)}.{nameof(QueueClient.NeverExpires)}.");
        }

        return WholeSeconds(value, paramName);
    }

    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static int WholeSeconds(TimeSpan value, string paramName) =>
        value.Ticks % TimeSpan.TicksPerSecond == 0
            ? (int)(value.Ticks / TimeSpan.TicksPerSecond)
            : throw new ArgumentException($"Must be a whole number of seconds (was {value}).", paramName);

    private static string? QueueNameProblem(string name)
    {
        if (name.Length is < MinQueueNameLength or > MaxQueueNameLength)
        {
            return $"it must be {MinQueueNameLength} to {MaxQueueNameLength} characters long.";
        }

        if (!name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            return "only lowercase letters, digits and hyphens are allowed.";
        }

        if (name[0] == '-' || name[^1] == '-')
        {
            return "it must start and end with a letter or a digit.";
        }

        return name.Contains("--", StringComparison.Ordinal) ? "consecutive hyphens are not allowed." : null;
    }
}
