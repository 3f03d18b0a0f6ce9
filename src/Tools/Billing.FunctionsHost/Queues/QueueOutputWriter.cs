using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Storage.Queues;
using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Rpc;

namespace Billing.FunctionsHost.Queues;

/// <summary>
/// Applies <c>queue</c> output bindings after a successful invocation: one message per array element (an empty one for
/// a null element), strings as-is, other JSON as its text, bytes as binary; the queue is created if missing. <c>http</c>
/// outputs are ignored (proxy mode).
/// </summary>
internal sealed class QueueOutputWriter(QueueClientFactory factory)
{
    private readonly ConcurrentDictionary<(string? Connection, string Queue), Lazy<Task<QueueClient>>> clients = new();

    public async Task WriteAsync(FunctionDefinition function, InvocationResponse response, CancellationToken cancellationToken)
    {
        foreach (var binding in function.Outputs.Where(b => b.Type.Equals(FunctionDefinition.QueueOutput, StringComparison.OrdinalIgnoreCase)))
        {
            var value = binding.Name == "$return"
                ? response.ReturnValue
                : response.OutputData.FirstOrDefault(o => o.Name == binding.Name)?.Data;
            var messages = ToMessages(value);
            if (messages.Count == 0)
            {
                continue;
            }

            var usedBy = $"Function '{function.Name}' output '{binding.Name}'";
            var queue = await GetQueueAsync(binding.GetString("connection"), factory.ResolveQueueName(binding.GetString("queueName"), usedBy), usedBy, cancellationToken).ConfigureAwait(false);
            foreach (var message in messages)
            {
                await queue.SendMessageAsync(message, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal static IReadOnlyList<BinaryData> ToMessages(TypedData? value) => value?.DataCase switch
    {
        TypedData.DataOneofCase.String => [BinaryData.FromString(value.String)],
        TypedData.DataOneofCase.Bytes => [BinaryData.FromBytes(value.Bytes.ToByteArray())],
        TypedData.DataOneofCase.Json => FromJson(value.Json),
        TypedData.DataOneofCase.CollectionString => value.CollectionString.String.Select(BinaryData.FromString).ToArray(),
        TypedData.DataOneofCase.CollectionBytes => value.CollectionBytes.Bytes.Select(b => BinaryData.FromBytes(b.ToByteArray())).ToArray(),
        _ => [],
    };

    private static BinaryData[] FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return root.ValueKind switch
        {
            JsonValueKind.Null => [],
            JsonValueKind.Array => root.EnumerateArray().Select(Element).ToArray(),
            _ => [Element(root)],
        };
    }

    /// <summary>An element's message: a string as-is, a null empty (as the real host's JValue null gives), other JSON as its text.</summary>
    private static BinaryData Element(JsonElement element) => BinaryData.FromString(element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Null => string.Empty,
        _ => element.GetRawText(),
    });

    private Task<QueueClient> GetQueueAsync(string? connection, string queueName, string usedBy, CancellationToken cancellationToken) =>
        clients.GetOrAdd((connection, queueName), key => new Lazy<Task<QueueClient>>(async () =>
        {
            var client = factory.Create(key.Connection, key.Queue, usedBy);
            await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return client;
        })).Value;
}
