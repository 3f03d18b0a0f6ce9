using System.Runtime.InteropServices;
using Billing.Benchmarks.BareApp;
using Billing.Benchmarks.ColdStart;
using Billing.Benchmarks.Forwarding;
using Billing.Benchmarks.Ingest;
using Billing.Benchmarks.Invoicing;
using Billing.Benchmarks.Signature;
using Billing.Benchmarks.Usage;

// Benchmarks of the function app and its webhook path; see docs/benchmarks.md. Run in Release:
//   dotnet run -c Release --project tests/Billing.Benchmarks -- <command> [options]
// Since .NET 10 a SIGTERM ends a process at once, without ProcessExit. Exiting through Environment.Exit runs it, and
// with it every ManagedProcess's clean-up: an interrupted run would otherwise leave its host and worker running.
// (bare-app is a web app: its host handles SIGTERM itself.)
using var onSigterm = args.FirstOrDefault() == "bare-app" ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Environment.Exit(143));
return args.FirstOrDefault() switch
{
    "signature" => SignatureCommand.Run(args[1..]),
    "coldstart" => await ColdStartCommand.RunAsync(args[1..]),
    "forwarding" => await ForwardingCommand.RunAsync(args[1..]),
    "ingest" => await IngestCommand.RunAsync(args[1..]),
    "usage" => await UsageCommand.RunAsync(args[1..]),
    "invoicing" => await InvoicingCommand.RunAsync(args[1..]),
    "bare-app" => await BareAppCommand.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        Usage: dotnet run -c Release --project tests/Billing.Benchmarks -- <command> [options]
          signature [BenchmarkDotNet options]   in-process cost of signature verification and envelope parsing
          coldstart [--runs N]                  process start -> first 200 of /api/health: app under the host vs bare app
          forwarding [--seconds S] [--warmup-seconds W] [--levels 1,8,64]
                                                GET /api/billing/plans through host + worker vs the bare app; peak RSS
          ingest [--seconds S] [--warmup-seconds W] [--rounds R] [--levels 1,8,32]
                                                webhook ingest vs direct Cosmos create + queue send vs one queue send
          usage [--seconds S] [--warmup-seconds W] [--rounds R] [--levels 1,8,64]
                                                POST /api/usage (hard-limited meter) through host + worker vs the same
                                                service in-process vs the direct conditional patch; RU per call; peak RSS
          invoicing [--accounts 200,2000] [--rps 20] [--timeout-minutes 40]
                                                a monthly invoicing run end to end (timer, jobs, Stripe emulator):
                                                duration, Stripe requests/s against the budget, 2,000 vs 200 accounts
          bare-app --port P [--plans-file F]    the minimal ASP.NET Core baseline (started by coldstart and forwarding)
        """);
    return 2;
}
