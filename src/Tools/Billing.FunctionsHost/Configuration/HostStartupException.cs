namespace Billing.FunctionsHost.Configuration;

/// <summary>A problem that stops the host; its message is printed as one line on stderr.</summary>
internal sealed class HostStartupException(string message) : Exception(message)
{
}
