using Billing.StripeEmulator.Configuration;
using Billing.StripeEmulator.Hosting;
using Microsoft.Extensions.Options;

// appsettings.json is read from beside the binary, whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.UseEmulatorDefaults();
builder.Services.AddStripeEmulator(builder.Configuration);

var app = builder.Build();
try
{
    _ = app.Services.GetRequiredService<IOptions<EmulatorOptions>>().Value;
}
catch (OptionsValidationException invalid)
{
    await Console.Error.WriteLineAsync("The Stripe emulator's configuration is invalid:");
    foreach (var failure in invalid.Failures)
    {
        await Console.Error.WriteLineAsync($"  - {failure}");
    }

    return 2;
}

app.UseStripeEmulator();
await app.RunAsync();
return 0;
