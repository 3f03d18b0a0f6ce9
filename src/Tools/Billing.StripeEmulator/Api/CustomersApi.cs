using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;
using Billing.StripeEmulator.Wire.Shapes;

namespace Billing.StripeEmulator.Api;

/// <summary>`/v1/customers`: create, retrieve, update, delete, list and search.</summary>
internal static class CustomersApi
{
    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/customers", Create);
        routes.MapGet("/v1/customers", List);
        routes.MapGet("/v1/customers/search", Search);
        routes.MapGet("/v1/customers/{id}", Retrieve);
        routes.MapPost("/v1/customers/{id}", Update);
        routes.MapDelete("/v1/customers/{id}", Delete);
        routes.MapGet("/v1/customers/{id}/balance_transactions", ListBalanceTransactions);
        routes.MapPost("/v1/customers/{id}/balance_transactions", CreateBalanceTransaction);
        routes.MapGet("/v1/customers/{id}/balance_transactions/{transaction}", RetrieveBalanceTransaction);
        return routes;
    }

    /// <summary>The customer's balance ledger, newest first (<see cref="CustomerBalances"/> writes it).</summary>
    private static IResult ListBalanceTransactions(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("limit", "starting_after", "ending_before", "created", "invoice");
        var created = Paging.CreatedFilter(p);
        var invoice = p.NonEmptyString("invoice");
        return StripeResults.Json(store.Read(state =>
        {
            var customer = Lookup.Customer(state, id);
            var transactions = state.CustomerBalanceTransactions.Values
                .Where(t => t.CustomerId == customer.Id && created(t.Created) && (invoice is null || t.InvoiceId == invoice))
                .OrderByDescending(t => t.Sequence)
                .ToList();
            return Expansion.Apply(Paging.Page(transactions, t => t.Id, t => CustomerBalanceTransactionShape.ToJson(t), p, $"/v1/customers/{customer.Id}/balance_transactions", "customer balance transaction"), p, state);
        }));
    }

    /// <summary>`amount` (positive: a debit; negative: a credit), `currency` (the customer's), `description`, `metadata`: an `adjustment`.</summary>
    private static IResult CreateBalanceTransaction(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("amount", "currency", "description", "metadata");
        var amount = p.Long("amount") ?? throw StripeApiException.ParameterMissing("amount");
        var currency = PricesApi.Currency(p, "currency") ?? throw StripeApiException.ParameterMissing("currency");
        var description = p.NonEmptyString("description");
        var metadata = p.Metadata();
        var json = store.Write(context.RequestInfo(), m =>
        {
            var customer = Lookup.Customer(m.State, id);
            var transaction = CustomerBalances.Adjust(m, customer, amount, currency, description);
            metadata?.ApplyTo(transaction.Metadata);
            return Expansion.Apply(CustomerBalanceTransactionShape.ToJson(transaction), p, m.State);
        });
        return StripeResults.Json(json);
    }

    private static IResult RetrieveBalanceTransaction(string id, string transaction, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly();
        return StripeResults.Json(store.Read(state =>
        {
            var customer = Lookup.Customer(state, id);
            var found = state.CustomerBalanceTransactions.GetValueOrDefault(transaction) is { } record && record.CustomerId == customer.Id
                ? record
                : throw StripeApiException.NoSuchObject("customer balance transaction", transaction);
            return Expansion.Apply(CustomerBalanceTransactionShape.ToJson(found), p, state);
        }));
    }

    private static IResult Create(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("email", "name", "description", "phone", "metadata", "preferred_locales", "balance", "test_clock", "address", "shipping", "tax_exempt", "invoice_settings", "payment_method")
            .NotModelled("test_clock", "address", "shipping", "tax_exempt", "invoice_settings", "payment_method");
        var email = ValidEmail(p.NonEmptyString("email"));
        var json = store.Write(context.RequestInfo(), m =>
        {
            var customer = Customers.Create(m, email, p.NonEmptyString("name"), p.NonEmptyString("description"), p.NonEmptyString("phone"));
            p.Metadata()?.ApplyTo(customer.Metadata);
            customer.PreferredLocales.AddRange(p.Strings("preferred_locales"));
            if (p.Long("balance") is { } balance)
            {
                CustomerBalances.Set(m, customer, balance);
            }

            Customers.EmitCreated(m, customer);
            return Expansion.Apply(CustomerShape.ToJson(customer), p, m.State);
        });
        return StripeResults.Json(json);
    }

    /// <summary>A deleted customer is still retrievable, as `{id, object, deleted: true}`.</summary>
    private static IResult Retrieve(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly();
        return StripeResults.Json(store.Read(state =>
        {
            if (state.Customers.TryGetValue(id, out var customer) && customer.Deleted)
            {
                Expansion.NothingToExpand(p);
                return CustomerShape.Deleted(customer);
            }

            return Expansion.Apply(CustomerShape.ToJson(Lookup.Customer(state, id)), p, state);
        }));
    }

    /// <summary>
    /// `DELETE /v1/customers/{id}`: cancels the customer's live subscriptions now (`customer.subscription.deleted`),
    /// raises `customer.deleted`; the customer leaves lists and search, and any use of its id answers "No such customer".
    /// </summary>
    private static IResult Delete(string id, HttpContext context, EmulatorStore store)
    {
        Expansion.NothingToExpand(context.Params().AllowOnly());
        var json = store.Write(context.RequestInfo(), m =>
        {
            var customer = Lookup.Customer(m.State, id);
            foreach (var subscription in m.State.Subscriptions.Values.Where(s => s.CustomerId == customer.Id && s.IsLive).OrderBy(s => s.Sequence).ToList())
            {
                Subscriptions.Cancel(m, subscription, "cancellation_requested");
            }

            customer.Deleted = true;
            m.Emit("customer.deleted", CustomerShape.ToJson(customer));
            return CustomerShape.Deleted(customer);
        });
        return StripeResults.Json(json);
    }

    private static IResult Update(string id, HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("email", "name", "description", "phone", "metadata", "preferred_locales", "balance", "address", "shipping", "tax_exempt", "invoice_settings")
            .NotModelled("address", "shipping", "tax_exempt", "invoice_settings");
        var email = ValidEmail(p.String("email"));
        var json = store.Write(context.RequestInfo(), m =>
        {
            var customer = Lookup.Customer(m.State, id);
            var before = CustomerShape.ToJson(customer);
            if (email is not null)
            {
                customer.Email = email.Length == 0 ? null : email;
            }

            if (p.String("name") is { } name)
            {
                customer.Name = name.Length == 0 ? null : name;
            }

            if (p.String("description") is { } description)
            {
                customer.Description = description.Length == 0 ? null : description;
            }

            if (p.String("phone") is { } phone)
            {
                customer.Phone = phone.Length == 0 ? null : phone;
            }

            if (p.Long("balance") is { } balance)
            {
                CustomerBalances.Set(m, customer, balance);
            }

            p.Metadata()?.ApplyTo(customer.Metadata);
            var after = CustomerShape.ToJson(customer);
            if (PreviousAttributes.Diff(before, after) is { } previous)
            {
                m.Emit("customer.updated", after, previous);
            }

            return Expansion.Apply(after, p, m.State);
        });
        return StripeResults.Json(json);
    }

    private static IResult List(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("email", "limit", "starting_after", "ending_before", "created", "test_clock").NotModelled("test_clock");
        var email = p.NonEmptyString("email");
        var created = Paging.CreatedFilter(p);
        return StripeResults.Json(store.Read(state =>
        {
            var customers = state.Customers.Values.Where(c => !c.Deleted)
                .Where(c => (email is null || string.Equals(c.Email, email, StringComparison.Ordinal)) && created(c.Created))
                .OrderByDescending(c => c.Sequence)
                .ToList();
            return Expansion.Apply(Paging.Page(customers, c => c.Id, c => CustomerShape.ToJson(c), p, "/v1/customers", "customer"), p, state);
        }));
    }

    private static IResult Search(HttpContext context, EmulatorStore store)
    {
        var p = context.Params().AllowOnly("query", "limit", "page");
        var query = p.RequireString("query");
        var match = CustomerSearch.Parse(query);
        return StripeResults.Json(store.Read(state =>
        {
            var customers = state.Customers.Values.Where(c => !c.Deleted).Where(match).OrderByDescending(c => c.Sequence).ToList();
            return Expansion.Apply(SearchPage.Build(customers, c => CustomerShape.ToJson(c), p, "/v1/customers/search"), p, state);
        }));
    }

    private static string? ValidEmail(string? email)
    {
        if (!string.IsNullOrEmpty(email) && (email.Length > 512 || !email.Contains('@', StringComparison.Ordinal) || email.Any(char.IsWhiteSpace)))
        {
            throw StripeApiException.ParameterInvalid("email", $"Invalid email address: {email}", "email_invalid");
        }

        return email;
    }
}
