namespace Billing.EndToEnd.Tests.Support;

/// <summary>
/// One <see cref="WebhookStack"/> shared by the tests of a class (an xUnit class fixture; each test uses accounts of its
/// own); the subclass says how the stack starts.
/// </summary>
public abstract class SharedStackFixture : IAsyncLifetime
{
    internal WebhookStack Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await StartAsync();

    public virtual async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }
    }

    private protected abstract Task<WebhookStack> StartAsync();
}
