using System.Text;
using System.Text.Json;
using Azure.Storage.Queues.Models;
using Billing.FunctionsHost.Functions;
using Billing.FunctionsHost.Rpc;
using Google.Protobuf;

namespace Billing.FunctionsHost.Queues;

/// <summary>A received queue message as the worker expects it: the trigger input per data type, and the trigger metadata.</summary>
internal static class QueueTriggerData
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static InvocationInput Create(BindingDescription trigger, QueueMessage message, string queueName)
    {
        var input = TypedDataFactory.Binding(trigger.Name, Input(trigger, message));
        var metadata = new Dictionary<string, TypedData>(StringComparer.Ordinal)
        {
            ["DequeueCount"] = TypedDataFactory.Json(message.DequeueCount),
            ["ExpirationTime"] = TypedDataFactory.Json(message.ExpiresOn ?? DateTimeOffset.MaxValue),
            ["Id"] = TypedDataFactory.String(message.MessageId),
            ["InsertionTime"] = TypedDataFactory.Json(message.InsertedOn ?? DateTimeOffset.UtcNow),
            ["NextVisibleTime"] = TypedDataFactory.Json(message.NextVisibleOn ?? DateTimeOffset.MaxValue),
            ["PopReceipt"] = TypedDataFactory.String(message.PopReceipt),
        };
        if (TryDecode(message.Body) is { } text)
        {
            metadata["QueueTrigger"] = TypedDataFactory.String(text);
        }

        return new InvocationInput([input], metadata, $"New queue message detected on '{queueName}'.");
    }

    private static TypedData Input(BindingDescription trigger, QueueMessage message)
    {
        if (trigger.SupportsDeferredBinding)
        {
            var content = JsonSerializer.SerializeToUtf8Bytes(new
            {
                message.MessageId,
                message.PopReceipt,
                MessageText = TryDecode(message.Body) ?? string.Empty,
                Body = message.Body.ToArray(),
                message.NextVisibleOn,
                message.InsertedOn,
                message.ExpiresOn,
                message.DequeueCount,
            });
            return new TypedData
            {
                ModelBindingData = new ModelBindingData
                {
                    Version = "1.0",
                    Source = "AzureStorageQueues",
                    ContentType = "application/json",
                    Content = ByteString.CopyFrom(content),
                },
            };
        }

        return trigger.Info.DataType == BindingInfo.Types.DataType.Binary
            ? new TypedData { Bytes = ByteString.CopyFrom(message.Body.ToMemory().Span) }
            : TypedDataFactory.String(TryDecode(message.Body) ?? string.Empty);
    }

    private static string? TryDecode(BinaryData body)
    {
        try
        {
            return StrictUtf8.GetString(body.ToMemory().Span);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
