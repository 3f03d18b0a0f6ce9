using System.Runtime.CompilerServices;

namespace Billing.Stripe.Common;

/// <summary>Auto-paging over list and search endpoints.</summary>
internal static class StripePaging
{
    /// <summary>Every item of a list, fetching the next page with <c>starting_after</c> = the last item's id.</summary>
    public static async IAsyncEnumerable<T> ListAllAsync<T>(
        Func<string?, CancellationToken, Task<StripeList<T>>> fetchPage,
        string? startingAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : IStripeEntity
    {
        var cursor = startingAfter;
        while (true)
        {
            var page = await fetchPage(cursor, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Data)
            {
                yield return item;
            }

            if (!page.HasMore || page.Data.Count == 0)
            {
                yield break;
            }

            cursor = page.Data[^1].Id;
        }
    }

    /// <summary>Every item of a search, fetching the next page with <c>page</c> = <c>next_page</c>.</summary>
    public static async IAsyncEnumerable<T> SearchAllAsync<T>(
        Func<string?, CancellationToken, Task<StripeSearchResult<T>>> fetchPage,
        string? page,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = page;
        while (true)
        {
            var result = await fetchPage(cursor, cancellationToken).ConfigureAwait(false);
            foreach (var item in result.Data)
            {
                yield return item;
            }

            if (!result.HasMore || string.IsNullOrEmpty(result.NextPage))
            {
                yield break;
            }

            cursor = result.NextPage;
        }
    }
}
