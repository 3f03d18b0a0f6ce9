using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Rpc;
using Google.Protobuf.WellKnownTypes;

namespace Billing.FunctionsHost.Worker;

/// <summary>
/// Owns the current worker session: starts it, restarts it after a crash (up to <see cref="MaxRestarts"/> times,
/// with a short back-off; the count resets after a minute of healthy running) and terminates it on shutdown.
/// </summary>
internal sealed partial class WorkerSupervisor(WorkerStarter starter, WorkerChannelRegistry registry, TimeProvider time, ILoggerFactory loggerFactory)
{
    public const int MaxRestarts = 3;

    /// <summary>
    /// How long an invocation waits for a restarting worker: the real host's WorkerFunctionInvoker waits for its
    /// dispatcher (ErrorEventsThreshold + 1) x the worker's initialization timeout, (3 + 1) x 10 s.
    /// </summary>
    public static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan HealthyRun = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan TerminateGrace = TimeSpan.FromSeconds(5);
    private readonly ILogger logger = loggerFactory.CreateLogger("Host.Worker");
    private WorkerSession? current;
    private TaskCompletionSource<WorkerSession?> ready = NewSignal();
    private int restarts;
    private Uri? grpcUri;

    /// <summary>The session serving invocations now, or null while the worker restarts.</summary>
    public WorkerSession? Current => Volatile.Read(ref current);

    /// <summary>
    /// The session serving invocations, after the restart under way if there is one; null if none is ready within
    /// <see cref="ReadyWait"/> or the host stops first (<see cref="StopAsync"/>: no worker will come).
    /// </summary>
    public async Task<WorkerSession?> WaitForWorkerAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Volatile.Read(ref ready).Task.WaitAsync(ReadyWait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public async Task<WorkerSession> StartAsync(Uri grpcEndpoint, CancellationToken cancellationToken)
    {
        grpcUri = grpcEndpoint;
        return await StartWithRetriesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Restarts the worker whenever it dies; returns a fatal message when it gives up, null on shutdown.</summary>
    public async Task<string?> SuperviseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var session = Current!;
            int exitCode;
            try
            {
                exitCode = await session.Process.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            Unpublish(session);
            if (time.GetUtcNow() - session.StartedAt > HealthyRun)
            {
                restarts = 0;
            }

            LogWorkerDied(logger, session.Process.Id, exitCode);
            try
            {
                await BackOffAsync($"the worker process exited with code {exitCode}", cancellationToken).ConfigureAwait(false);
                await StartWithRetriesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (HostStartupException e)
            {
                return e.Message;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    /// <summary>Sends WorkerTerminate, waits up to 5 s for the process to exit, then kills its process tree.</summary>
    public async Task StopAsync()
    {
        Volatile.Read(ref ready).TrySetResult(null); // invocations waiting for a restart (the host gave up, or stops) fail now
        var session = Interlocked.Exchange(ref current, null);
        if (session is null)
        {
            return;
        }

        try
        {
            session.Channel.Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(TerminateGrace) } });
            await session.Process.Exited.WaitAsync(TerminateGrace + TimeSpan.FromSeconds(1), time).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WorkerUnavailableException or TimeoutException)
        {
            LogTerminateTimedOut(logger, session.Process.Id);
        }
        finally
        {
            KillNow(session);
        }
    }

    /// <summary>Last resort on process exit: kill whatever worker is left, synchronously.</summary>
    public void KillCurrent()
    {
        if (Volatile.Read(ref current) is { } session)
        {
            session.Process.Kill();
        }
    }


    private async Task<WorkerSession> StartWithRetriesAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var session = await starter.StartAsync(grpcUri!, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref current, session);
                Volatile.Read(ref ready).TrySetResult(session);
                return session;
            }
            catch (WorkerUnavailableException e)
            {
                await BackOffAsync(e.Message, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task BackOffAsync(string reason, CancellationToken cancellationToken)
    {
        if (restarts >= MaxRestarts)
        {
            throw new HostStartupException($"The worker process failed {restarts + 1} times and was not restarted again (last: {reason.TrimEnd('.')}).");
        }

        restarts++;
        var delay = TimeSpan.FromMilliseconds(500 * (1 << (restarts - 1)));
        LogRestarting(logger, reason, restarts, MaxRestarts, (int)delay.TotalMilliseconds);
        await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
    }

    private void Unpublish(WorkerSession session)
    {
        Interlocked.CompareExchange(ref current, null, session);
        Volatile.Write(ref ready, NewSignal());
        session.Channel.Fail(new WorkerUnavailableException("The worker process exited."));
        registry.Unregister(session.Channel);
    }

    private static TaskCompletionSource<WorkerSession?> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void KillNow(WorkerSession session)
    {
        session.Process.Kill();
        registry.Unregister(session.Channel);
        session.Channel.Fail(new WorkerUnavailableException("The host is stopping."));
        session.Process.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "WORKER PROCESS {Pid} EXITED UNEXPECTEDLY with code {ExitCode}; in-flight invocations fail.")]
    private static partial void LogWorkerDied(ILogger logger, int pid, int exitCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restarting the worker ({Reason}): attempt {Attempt} of {Max} in {DelayMs} ms.")]
    private static partial void LogRestarting(ILogger logger, string reason, int attempt, int max, int delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker process {Pid} did not exit within the grace period; killing it.")]
    private static partial void LogTerminateTimedOut(ILogger logger, int pid);
}
