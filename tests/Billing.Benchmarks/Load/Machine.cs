using System.Diagnostics;
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

    /// <summary>
    /// CPU time used so far by this process, by <paramref name="hostPid"/>, by its live descendants (the worker) and by
    /// the store (<paramref name="storePid"/> and its descendants: the local Cosmos server under its watchdog): read
    /// before and after a run, the difference is what each side spent on it.
    /// </summary>
    public static CpuTimes SampleCpu(int hostPid, int storePid) =>
        new(CpuTimeOf(Environment.ProcessId), CpuTimeOf(hostPid), DescendantsCpu(hostPid), CpuTimeOf(storePid) + DescendantsCpu(storePid));

    private static TimeSpan DescendantsCpu(int pid) =>
        Billing.TestSupport.ProcessTree.DescendantsOf(pid).Aggregate(TimeSpan.Zero, (sum, id) => sum + CpuTimeOf(id));

    public static string Invariant(FormattableString value) => FormattableString.Invariant(value);

    private static TimeSpan CpuTimeOf(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.TotalProcessorTime;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return TimeSpan.Zero; // gone meanwhile
        }
    }

    public static string Ratio(double numerator, double denominator) =>
        denominator > 0 ? (numerator / denominator).ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
}

/// <summary>
/// CPU time of the benchmark process, the local host and the host's descendants (its worker), the store's clients
/// (<see cref="Total"/>), and of the store's process.
/// </summary>
internal readonly record struct CpuTimes(TimeSpan Benchmark, TimeSpan Host, TimeSpan Worker, TimeSpan Store)
{
    public TimeSpan Total => Benchmark + Host + Worker;

    public static CpuTimes operator +(CpuTimes a, CpuTimes b) => new(a.Benchmark + b.Benchmark, a.Host + b.Host, a.Worker + b.Worker, a.Store + b.Store);

    public static CpuTimes operator -(CpuTimes a, CpuTimes b) => new(a.Benchmark - b.Benchmark, a.Host - b.Host, a.Worker - b.Worker, a.Store - b.Store);
}
