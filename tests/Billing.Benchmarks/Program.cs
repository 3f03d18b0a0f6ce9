using Billing.Benchmarks.Ingest;
using Billing.Benchmarks.Signature;

// Benchmarks of the Stripe webhook path; see docs/benchmarks.md. Run in Release:
//   dotnet run -c Release --project tests/Billing.Benchmarks -- signature [BenchmarkDotNet options]
//   dotnet run -c Release --project tests/Billing.Benchmarks -- ingest [--events N] [--concurrency C] [--app-url URL] ...
return args.FirstOrDefault() switch
{
    "signature" => SignatureCommand.Run(args[1..]),
    "ingest" => await IngestCommand.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        Usage:
          dotnet run -c Release --project tests/Billing.Benchmarks -- signature [BenchmarkDotNet options]
              In-process cost of webhook signature verification and envelope parsing (BenchmarkDotNet).
          dotnet run -c Release --project tests/Billing.Benchmarks -- ingest [options]
              Webhook ingest throughput and latency against the local emulators, next to a bare endpoint.
        """);
    Console.Error.WriteLine(IngestOptions.Help);
    return 2;
}
