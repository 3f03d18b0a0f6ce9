using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Billing.Stripe.Common;

namespace Billing.Stripe.Serialization;

/// <summary>The converter for one expandable type.</summary>
internal sealed class StripeExpandableConverter<T> : JsonConverter<StripeExpandable<T>>
    where T : class, IStripeEntity
{
    public override StripeExpandable<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new StripeExpandable<T> { Id = reader.GetString()! };
            case JsonTokenType.StartObject:
                var expanded = JsonSerializer.Deserialize(ref reader, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)))
                               ?? throw new JsonException("Expanded object is null.");
                return new StripeExpandable<T> { Id = expanded.Id, Expanded = expanded };
            case JsonTokenType.Null:
                return null;
            default:
                throw new JsonException($"Expected an id string or an object for an expandable field, got {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, StripeExpandable<T> value, JsonSerializerOptions options)
    {
        if (value.Expanded is { } expanded)
        {
            JsonSerializer.Serialize(writer, expanded, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
        }
        else
        {
            writer.WriteStringValue(value.Id);
        }
    }
}
