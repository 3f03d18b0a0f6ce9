using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Rpc;
using Billing.FunctionsHost.Tests.Infrastructure;
using Billing.FunctionsHost.Worker;

namespace Billing.FunctionsHost.Tests.Unit;

/// <summary>The worker supervisor on a fake clock, with worker processes the test plays (<see cref="ScriptedWorker"/>).</summary>
public sealed class WorkerSupervisorTests : IAsyncLifetime
{
    private readonly ClockWithTimers time = new();
    private readonly ScriptedWorker worker;

    public WorkerSupervisorTests() =>
        worker = new ScriptedWorker(time, ScriptedWorker.QueueFunction("unused"), HostJsonOptions.Parse("{}", 1), new AppSettings(new Dictionary<string, string>(), _ => null));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => worker.DisposeAsync().AsTask();

    [Fact]
    public async Task A_worker_that_ran_over_a_minute_before_it_crashed_is_restarted_with_a_fresh_count()
    {
        using var stop = new CancellationTokenSource();
        var supervising = await UseUpTheRestartsAsync(stop.Token);

        time.Advance(TimeSpan.FromSeconds(61));
        worker.Crash();
        var restarting = time.AdvanceThroughAsync(TimeSpan.FromMilliseconds(500));
        var gaveUp = await Task.WhenAny(supervising, restarting) == supervising ? await supervising : null;

        Assert.Null(gaveUp);
        await restarting;
        await worker.ConnectNextAsync();
        Assert.Equal(5, worker.Started);
        Assert.Contains(worker.Log.GetSnapshot(), r => r.Message.Contains("attempt 1 of 3 in 500 ms", StringComparison.Ordinal));
        await stop.CancelAsync();
        Assert.Null(await supervising);
    }

    [Fact]
    public async Task A_worker_that_crashed_within_a_minute_after_three_restarts_is_not_restarted_again()
    {
        using var stop = new CancellationTokenSource();
        var supervising = await UseUpTheRestartsAsync(stop.Token);

        time.Advance(TimeSpan.FromSeconds(59));
        worker.Crash();

        Assert.StartsWith("The worker process failed 4 times and was not restarted again", await supervising.WaitAsync(TimeSpan.FromSeconds(30)), StringComparison.Ordinal);
        Assert.Equal(4, worker.Started);
    }

    [Fact]
    public async Task An_invocation_that_arrives_while_the_worker_restarts_runs_on_the_new_worker()
    {
        // WorkerFunctionInvoker.InvokeCore waits for every trigger: a queue message received during a restart is not
        // failed (its delivery not spent), a timer occurrence not missed; HTTP takes the same wait (WorkerForAsync).
        using var stop = new CancellationTokenSource();
        var (crashed, supervising) = await CrashSupervisedWorkerAsync(stop.Token);

        var invoking = worker.Invoker.InvokeAsync(crashed.Functions[0], new InvocationInput([], new Dictionary<string, TypedData>(), "test"), CancellationToken.None);
        await time.WaitForTimerAsync(WorkerSupervisor.ReadyWait);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await worker.ConnectNextAsync();
        worker.Complete((await worker.NextFromHostAsync()).InvocationRequest);

        Assert.Equal(InvocationStatus.Succeeded, (await invoking.WaitAsync(TimeSpan.FromSeconds(30))).Status);
        await stop.CancelAsync();
        Assert.Null(await supervising);
    }

    [Fact]
    public async Task An_invocation_waits_40_seconds_at_most_for_a_restarting_worker()
    {
        // WorkerFunctionInvoker.DelayUntilFunctionDispatcherInitializedOrShutdown: (ErrorEventsThreshold 3 + 1) x the
        // worker's 10 s initialization timeout; then the invocation fails ("Did not find any initialized language workers").
        using var stop = new CancellationTokenSource();
        var (crashed, supervising) = await CrashSupervisedWorkerAsync(stop.Token);

        var waiting = worker.Invoker.WorkerForAsync(crashed.Functions[0], CancellationToken.None);
        await time.WaitForTimerAsync(TimeSpan.FromSeconds(40));
        time.Advance(TimeSpan.FromMilliseconds(500));
        await worker.NextProcessAsync(); // the new worker never connects
        time.Advance(TimeSpan.FromSeconds(39.5));

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(worker.Log.GetSnapshot(), r => r.Message.Contains("Did not find any initialized language workers", StringComparison.Ordinal));
        await stop.CancelAsync();
        Assert.Null(await supervising);
    }

    [Fact]
    public async Task An_invocation_waiting_for_a_restarting_worker_fails_at_once_when_the_host_stops()
    {
        // The host gave up on the worker (or is stopping): no worker will come, so the wait ends there, not 40 s later,
        // and a request waiting for it does not hold the host's exit.
        using var stop = new CancellationTokenSource();
        var (crashed, supervising) = await CrashSupervisedWorkerAsync(stop.Token);
        var waiting = worker.Invoker.WorkerForAsync(crashed.Functions[0], CancellationToken.None);
        await time.WaitForTimerAsync(WorkerSupervisor.ReadyWait);
        await stop.CancelAsync();
        Assert.Null(await supervising);

        await worker.Supervisor.StopAsync();

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Stopping_sends_WorkerTerminate_and_kills_a_worker_still_running_after_the_grace_period()
    {
        var pid = (await worker.StartAsync()).Process.Id;
        time.ForgetTimers(); // the handshake's

        var stopping = worker.Supervisor.StopAsync();
        var terminate = await worker.NextFromHostAsync();

        Assert.Equal(TimeSpan.FromSeconds(5), terminate.WorkerTerminate?.GracePeriod.ToTimeSpan());
        Assert.Null(worker.Supervisor.Current);
        await time.AdvanceThroughAsync(TimeSpan.FromSeconds(6));
        await stopping;
        await Wait.UntilAsync(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(30), "the worker process to be killed");
    }

    [Fact]
    public async Task A_worker_that_does_not_connect_within_60_seconds_ends_the_start_and_is_killed()
    {
        // The real host's WorkerProcessCountOptions.ProcessStartupTimeout: 60 s for the worker's StartStream.
        var starting = worker.Supervisor.StartAsync(new Uri("http://127.0.0.1:1/"), CancellationToken.None);
        var pid = await worker.NextProcessAsync();

        await time.AdvanceThroughAsync(TimeSpan.FromSeconds(60));

        var error = await Assert.ThrowsAsync<HostStartupException>(() => starting);
        Assert.Equal("The worker did not connect (StartStream) within 60 seconds.", error.Message);
        await Wait.UntilAsync(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(30), "the worker process to be killed");
    }

    /// <summary>Starts a worker, supervises it and crashes it; returns once the host has no worker (the restart's back-off is under way).</summary>
    private async Task<(WorkerSession Crashed, Task<string?> Supervising)> CrashSupervisedWorkerAsync(CancellationToken stop)
    {
        var session = await worker.StartAsync();
        time.ForgetTimers(); // the handshake's
        var supervising = worker.Supervisor.SuperviseAsync(stop);
        worker.Crash();
        await time.WaitForTimerAsync(TimeSpan.FromMilliseconds(500));
        return (session, supervising);
    }

    /// <summary>Starts a worker, supervises it, and crashes it three times in quick succession, each restart played.</summary>
    private async Task<Task<string?>> UseUpTheRestartsAsync(CancellationToken stop)
    {
        await worker.StartAsync();
        var supervising = worker.Supervisor.SuperviseAsync(stop);
        foreach (var backOff in new[] { 500, 1000, 2000 })
        {
            worker.Crash();
            await time.AdvanceThroughAsync(TimeSpan.FromMilliseconds(backOff));
            await worker.ConnectNextAsync();
        }

        return supervising;
    }
}
