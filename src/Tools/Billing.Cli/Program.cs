using System.CommandLine;
using Billing.Cli.Admin;
using Billing.Cli.Tokens;

var root = new RootCommand("Billing development and operations CLI.")
{
    TokenCommand.Create(),
    AdminCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
