namespace Billing.Cli;

/// <summary>The CLI's exit-code contract; every command and the command-line parser follow it (docs/api.md, docs/webhooks.md).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>
    /// The operation failed: the server answered with an error (401, 403, 404, 409, 5xx, ...), a write was sent and got no
    /// answer (it may have been applied), or the CLI failed unexpectedly.
    /// </summary>
    public const int Failed = 1;

    /// <summary>Usage error: unknown command, missing or invalid arguments, or no settings to mint a development token from.</summary>
    public const int Usage = 2;

    /// <summary>The server could not be reached (connection refused, DNS failure; a read with no answer within the timeout): nothing was done.</summary>
    public const int Unreachable = 3;

    /// <summary>Cancelled (Ctrl+C), as shells report a process ended by SIGINT: a write under way may have been applied.</summary>
    public const int Cancelled = 130;
}
