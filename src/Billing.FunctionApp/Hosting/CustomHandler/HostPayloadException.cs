namespace Billing.FunctionApp.Hosting.CustomHandler;

/// <summary>The host's invocation payload is not what the function needs.</summary>
public sealed class HostPayloadException : Exception
{
    public HostPayloadException()
    {
    }

    public HostPayloadException(string message)
        : base(message)
    {
    }

    public HostPayloadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
