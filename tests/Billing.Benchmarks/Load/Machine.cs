using System.Globalization;
using System.Runtime.InteropServices;

namespace Billing.Benchmarks.Load;

/// <summary>Facts about this machine for the reports: cores, OS, runtime, load average, peak memory of process trees.</summary>
internal static class Machine
{
    public static string Describe() =>
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";

    /// <summary>The 1/5/15-minute load averages (how shared the machine was), or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>Sum of VmHWM (peak resident set) in MiB over <paramref name="pid"/> and its live descendants, or null.</summary>
    public static double? PeakRssMiB(int pid)
    {
        long total = 0;
        foreach (var id in new[] { pid }.Concat(Billing.TestSupport.ProcessTree.DescendantsOf(pid)))
        {
            try
            {
                var line = File.ReadLines($"/proc/{id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null)
                {
                    total += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
            }
        }

        return total == 0 ? null : total / 1024.0;
    }

    public static string Invariant(FormattableString value) => FormattableString.Invariant(value);

    public static string Ratio(double numerator, double denominator) =>
        denominator > 0 ? (numerator / denominator).ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
}
