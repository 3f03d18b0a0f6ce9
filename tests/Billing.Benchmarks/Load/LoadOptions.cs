using System.Globalization;

namespace Billing.Benchmarks.Load;

/// <summary>The options of the commands that measure rounds of closed-loop load: <c>--seconds S --warmup-seconds W --rounds R --levels 1,8,64</c>.</summary>
internal sealed record LoadOptions(int Seconds, int WarmupSeconds, int Rounds, int[] Levels)
{
    public TimeSpan Duration => TimeSpan.FromSeconds(Seconds);

    public TimeSpan Warmup => TimeSpan.FromSeconds(WarmupSeconds);

    /// <summary><paramref name="defaults"/> with the options given in <paramref name="arguments"/>; throws on an unknown option.</summary>
    public static LoadOptions Parse(string command, string[] arguments, LoadOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(defaults);
        var options = defaults;
        for (var i = 0; i < arguments.Length; i += 2)
        {
            if (i + 1 >= arguments.Length)
            {
                throw new ArgumentException($"{command}: option {arguments[i]} needs a value");
            }

            var value = arguments[i + 1];
            options = arguments[i] switch
            {
                "--seconds" => options with { Seconds = Number(value) },
                "--warmup-seconds" => options with { WarmupSeconds = Number(value) },
                "--rounds" => options with { Rounds = Number(value) },
                "--levels" => options with { Levels = [.. value.Split(',').Select(Number)] },
                _ => throw new ArgumentException($"{command}: unknown option {arguments[i]}"),
            };
        }

        return options;
    }

    private static int Number(string value) => int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
}
