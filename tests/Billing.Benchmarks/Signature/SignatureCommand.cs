using BenchmarkDotNet.Running;

namespace Billing.Benchmarks.Signature;

/// <summary><c>signature [BenchmarkDotNet options]</c>: runs <see cref="SignatureBenchmarks"/>; extra arguments go to
/// BenchmarkDotNet (e.g. <c>--filter *Verify*</c>, <c>--inProcess</c>).</summary>
internal static class SignatureCommand
{
    public static int Run(string[] arguments)
    {
        var summary = BenchmarkRunner.Run<SignatureBenchmarks>(args: arguments);
        return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
    }
}
