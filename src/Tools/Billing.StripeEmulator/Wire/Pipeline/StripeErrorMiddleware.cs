namespace Billing.StripeEmulator.Wire.Pipeline;

/// <summary>Turns a <see cref="StripeApiException"/> (or an unexpected failure) into Stripe's error body.</summary>
internal sealed partial class StripeErrorMiddleware(RequestDelegate next, ILogger<StripeErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (StripeApiException error) when (!context.Response.HasStarted)
        {
            await ErrorWriter.WriteAsync(context, error);
        }
        catch (BadHttpRequestException error) when (!context.Response.HasStarted)
        {
            await ErrorWriter.WriteAsync(context, StripeApiException.InvalidRequest($"Invalid request: {error.Message}", null));
        }
        catch (Exception error) when (!context.Response.HasStarted && error is not OperationCanceledException)
        {
            LogUnexpected(error, context.Request.Method, context.Request.Path);
            await ErrorWriter.WriteAsync(context, new StripeApiException(500, ErrorTypes.Api, "An unexpected error occurred in the Stripe emulator; see its log."));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure in {Method} {Path}")]
    private partial void LogUnexpected(Exception error, string method, string path);
}
