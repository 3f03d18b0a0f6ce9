using System.Text.Json.Nodes;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;

namespace Billing.StripeEmulator.Api;

/// <summary>Stripe's cursor pagination over a newest-first list: `limit`, `starting_after`, `ending_before`, `has_more`.</summary>
internal static class Paging
{
    /// <summary>`GET` of a charge's objects (refunds, disputes): filtered by `charge`, `payment_intent` and `created`, newest first, paged and expanded.</summary>
    public static IResult ListOfCharge<T>(HttpContext context, EmulatorStore store, Func<EmulatorState, IEnumerable<T>> all, Func<T, JsonObject> shape, string url, string kind)
        where T : StoredObject, IChargeObject
    {
        var p = context.Params().AllowOnly("charge", "payment_intent", "limit", "starting_after", "ending_before", "created");
        var charge = p.NonEmptyString("charge");
        var paymentIntent = p.NonEmptyString("payment_intent");
        var created = CreatedFilter(p);
        return StripeResults.Json(store.Read(state =>
        {
            var listed = all(state)
                .Where(o => (charge is null || o.ChargeId == charge) && (paymentIntent is null || o.PaymentIntentId == paymentIntent) && created(o.Created))
                .OrderByDescending(o => o.Sequence)
                .ToList();
            return Expansion.Apply(Page(listed, o => o.Id, shape, p, url, kind), p, state);
        }));
    }

    public static JsonObject Page<T>(IReadOnlyList<T> newestFirst, Func<T, string> idOf, Func<T, JsonNode> shape, StripeParams p, string url, string kind)
    {
        var limit = p.Limit();
        var startingAfter = p.NonEmptyString("starting_after");
        var endingBefore = p.NonEmptyString("ending_before");
        if (startingAfter is not null && endingBefore is not null)
        {
            throw StripeApiException.InvalidRequest("You may only specify one of these parameters: starting_after, ending_before.", "ending_before");
        }

        IEnumerable<T> window;
        bool hasMore;
        if (startingAfter is not null)
        {
            var index = IndexOf(newestFirst, idOf, startingAfter, kind, "starting_after");
            var rest = newestFirst.Skip(index + 1).ToList();
            window = rest.Take(limit);
            hasMore = rest.Count > limit;
        }
        else if (endingBefore is not null)
        {
            var index = IndexOf(newestFirst, idOf, endingBefore, kind, "ending_before");
            var before = newestFirst.Take(index).ToList();
            window = before.Skip(Math.Max(0, before.Count - limit));
            hasMore = before.Count > limit;
        }
        else
        {
            window = newestFirst.Take(limit);
            hasMore = newestFirst.Count > limit;
        }

        return StripeJson.List(url, window.Select(shape), hasMore);
    }

    /// <summary>`created` as a unix time or `created[gt|gte|lt|lte]`.</summary>
    public static Func<long, bool> CreatedFilter(StripeParams p)
    {
        if (!p.Has("created"))
        {
            return _ => true;
        }

        var exact = p.Node.Get("created") is { IsLeaf: true } ? p.Long("created") : null;
        if (exact is not null)
        {
            return created => created == exact;
        }

        var range = p.Child("created")!.AllowOnly("gt", "gte", "lt", "lte");
        var gt = range.Long("gt");
        var gte = range.Long("gte");
        var lt = range.Long("lt");
        var lte = range.Long("lte");
        return created => (gt is null || created > gt) && (gte is null || created >= gte) && (lt is null || created < lt) && (lte is null || created <= lte);
    }

    private static int IndexOf<T>(IReadOnlyList<T> items, Func<T, string> idOf, string id, string kind, string param)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (idOf(items[i]) == id)
            {
                return i;
            }
        }

        throw StripeApiException.NoSuchReference(kind, id, param);
    }
}
