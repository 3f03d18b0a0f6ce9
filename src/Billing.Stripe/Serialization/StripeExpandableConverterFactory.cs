using System.Text.Json;
using System.Text.Json.Serialization;
using Billing.Stripe.Common;

namespace Billing.Stripe.Serialization;

/// <summary>Reads an expandable field: an id string, or the expanded object (whose id becomes <see cref="StripeExpandable{T}.Id"/>).</summary>
internal sealed class StripeExpandableConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(StripeExpandable<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        var converterType = typeof(StripeExpandableConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]);
        return (JsonConverter)Activator.CreateInstance(converterType)!;
    }
}
