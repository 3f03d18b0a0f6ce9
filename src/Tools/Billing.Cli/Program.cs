using Billing.Cli;

return await BillingCli.RunAsync(args).ConfigureAwait(false);
