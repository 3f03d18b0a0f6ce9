using System.Globalization;

namespace Billing.StripeEmulator.Wire;

/// <summary>
/// Typed, validating access to one level of a request's parameters. Errors name the parameter in Stripe's
/// bracket notation (`line_items[0][price]`).
/// </summary>
internal sealed class StripeParams
{
    private readonly FormNode _node;
    private readonly string _prefix;

    public StripeParams(FormNode node, string prefix = "")
    {
        _node = node;
        _prefix = prefix;
    }

    public static StripeParams Empty => new(FormNode.Map());

    public FormNode Node => _node;

    public IEnumerable<string> Names => _node.Children.Select(c => c.Key);

    public string ParamName(string name) => _prefix.Length == 0 ? name : $"{_prefix}[{name}]";

    public bool Has(string name) => _node.Get(name) is not null;

    /// <summary>Rejects any parameter not listed (plus `expand`, which every endpoint takes).</summary>
    public StripeParams AllowOnly(params string[] names)
    {
        foreach (var (name, _) in _node.Children)
        {
            if (name != "expand" && !names.Contains(name, StringComparer.Ordinal))
            {
                throw StripeApiException.ParameterUnknown(ParamName(name));
            }
        }

        return this;
    }

    /// <summary>
    /// Refuses any of <paramref name="names"/> that is present: parameters Stripe takes (so listed in <see cref="AllowOnly"/>)
    /// whose effect the emulator does not model. Ignoring them would let a test pass where Stripe behaves otherwise.
    /// </summary>
    public StripeParams NotModelled(params string[] names)
    {
        foreach (var name in names)
        {
            if (Has(name))
            {
                throw StripeApiException.NotModelled(ParamName(name));
            }
        }

        return this;
    }

    /// <summary>
    /// Refuses <paramref name="name"/> when present with a value other than <paramref name="modelled"/> (the values whose
    /// effect the emulator has, Stripe's default among them; "" for an empty value), or as a hash.
    /// </summary>
    public StripeParams NotModelledUnless(string name, params string[] modelled)
    {
        var child = _node.Get(name);
        if (child is null)
        {
            return this;
        }

        if (!child.IsLeaf)
        {
            throw StripeApiException.NotModelledValue(ParamName(name), "a hash", modelled);
        }

        if (!modelled.Contains(child.Value ?? string.Empty, StringComparer.Ordinal))
        {
            throw StripeApiException.NotModelledValue(ParamName(name), child.Value ?? string.Empty, modelled);
        }

        return this;
    }

    public string? String(string name)
    {
        var child = _node.Get(name);
        if (child is null)
        {
            return null;
        }

        if (!child.IsLeaf)
        {
            throw StripeApiException.ParameterInvalid(ParamName(name), $"Invalid string: {ParamName(name)} must be a string, not a hash.");
        }

        return child.Value;
    }

    /// <summary>A string that, when present, is not empty.</summary>
    public string? NonEmptyString(string name)
    {
        var value = String(name);
        if (value is not null && value.Length == 0)
        {
            throw StripeApiException.ParameterInvalid(ParamName(name), $"You passed an empty string for '{ParamName(name)}'. We assume empty values are an attempt to unset a parameter; however '{ParamName(name)}' cannot be unset. You should remove '{ParamName(name)}' from your request or supply a non-empty value.", "parameter_invalid_empty");
        }

        return value;
    }

    /// <summary>
    /// A URL Stripe redirects a customer to (`success_url`, `cancel_url`, `return_url`): when present, an absolute http(s)
    /// URL, else 400 `url_invalid` as Stripe answers ("Not a valid URL").
    /// </summary>
    public string? Url(string name)
    {
        var value = NonEmptyString(name);
        if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            throw StripeApiException.ParameterInvalid(ParamName(name), "Not a valid URL", "url_invalid");
        }

        return value;
    }

    /// <summary>A string that, when present, is not empty and has at most <paramref name="maxLength"/> characters (the spec's `maxLength`).</summary>
    public string? NonEmptyString(string name, int maxLength)
    {
        var value = NonEmptyString(name);
        if (value is { Length: var length } && length > maxLength)
        {
            throw StripeApiException.ParameterInvalid(
                ParamName(name),
                string.Create(CultureInfo.InvariantCulture, $"Invalid string: {value[..10]}...; must be at most {maxLength} characters"));
        }

        return value;
    }

    public string RequireString(string name) => NonEmptyString(name) ?? throw StripeApiException.ParameterMissing(ParamName(name));

    public string? OneOf(string name, params string[] allowed)
    {
        var value = NonEmptyString(name);
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            throw StripeApiException.ParameterInvalid(ParamName(name), $"Invalid {ParamName(name)}: must be one of {string.Join(", ", allowed)}");
        }

        return value;
    }

    public long? Long(string name)
    {
        var value = NonEmptyString(name);
        if (value is null)
        {
            return null;
        }

        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
        {
            throw StripeApiException.ParameterInvalid(ParamName(name), $"Invalid integer: {value}", "parameter_invalid_integer");
        }

        return result;
    }

    public long? NonNegativeLong(string name)
    {
        var value = Long(name);
        if (value < 0)
        {
            throw StripeApiException.ParameterInvalid(ParamName(name), $"Invalid {ParamName(name)}: must be greater than or equal to 0", "parameter_invalid_integer");
        }

        return value;
    }

    public bool? Bool(string name)
    {
        var value = NonEmptyString(name);
        return value switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => throw StripeApiException.ParameterInvalid(ParamName(name), $"Invalid boolean: {value}"),
        };
    }

    public StripeParams? Child(string name)
    {
        var child = _node.Get(name);
        if (child is null)
        {
            return null;
        }

        if (child.IsLeaf)
        {
            if (string.IsNullOrEmpty(child.Value))
            {
                return new StripeParams(FormNode.Map(), ParamName(name));
            }

            throw StripeApiException.ParameterInvalid(ParamName(name), $"Invalid hash: {ParamName(name)} must be a hash of parameters.", "parameter_invalid_string");
        }

        return new StripeParams(child, ParamName(name));
    }

    /// <summary>An indexed list of hashes (`items[0][price]`), in index order.</summary>
    public IReadOnlyList<StripeParams> List(string name)
    {
        var child = _node.Get(name);
        if (child is null || (child.IsLeaf && string.IsNullOrEmpty(child.Value)))
        {
            return [];
        }

        if (child.IsLeaf)
        {
            throw StripeApiException.ParameterInvalid(ParamName(name), $"Invalid array: {ParamName(name)} must be a list.");
        }

        var result = new List<(int Index, StripeParams Item)>();
        foreach (var (key, item) in child.Children)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw StripeApiException.ParameterInvalid(ParamName(name), $"Invalid array: {ParamName(name)} must be indexed with integers.");
            }

            var path = $"{ParamName(name)}[{index.ToString(CultureInfo.InvariantCulture)}]";
            if (item.IsLeaf)
            {
                throw StripeApiException.ParameterInvalid(path, $"Invalid hash: {path} must be a hash of parameters.");
            }

            result.Add((index, new StripeParams(item, path)));
        }

        return [.. result.OrderBy(r => r.Index).Select(r => r.Item)];
    }

    /// <summary>A list of strings (`expand[]=a`, `lookup_keys[0]=b`).</summary>
    public IReadOnlyList<string> Strings(string name)
    {
        var child = _node.Get(name);
        if (child is null)
        {
            return [];
        }

        if (child.IsLeaf)
        {
            return string.IsNullOrEmpty(child.Value) ? [] : [child.Value!];
        }

        return [.. child.Children.Select(c => c.Value.IsLeaf ? c.Value.Value ?? string.Empty : throw StripeApiException.ParameterInvalid(ParamName(name), $"Invalid array: {ParamName(name)} must hold strings."))];
    }

    /// <summary>`metadata[k]=v` pairs; an empty value unsets a key, `metadata=` clears everything.</summary>
    public MetadataUpdate? Metadata(string name = "metadata")
    {
        var child = _node.Get(name);
        if (child is null)
        {
            return null;
        }

        if (child.IsLeaf)
        {
            return string.IsNullOrEmpty(child.Value)
                ? new MetadataUpdate(ClearAll: true, new Dictionary<string, string?>(StringComparer.Ordinal))
                : throw StripeApiException.ParameterInvalid(ParamName(name), $"Invalid hash: {ParamName(name)} must be a hash of keys and values.");
        }

        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in child.Children)
        {
            if (!value.IsLeaf)
            {
                throw StripeApiException.ParameterInvalid($"{ParamName(name)}[{key}]", "Metadata values must be strings.");
            }

            if (key.Length > 40)
            {
                throw StripeApiException.ParameterInvalid($"{ParamName(name)}[{key}]", "Metadata keys can have up to 40 characters.");
            }

            if ((value.Value ?? string.Empty).Length > 500)
            {
                throw StripeApiException.ParameterInvalid($"{ParamName(name)}[{key}]", "Metadata values can have up to 500 characters.");
            }

            values[key] = string.IsNullOrEmpty(value.Value) ? null : value.Value;
        }

        if (values.Count > 50)
        {
            throw StripeApiException.ParameterInvalid(ParamName(name), "You can specify up to 50 keys in metadata.");
        }

        return new MetadataUpdate(ClearAll: false, values);
    }

    /// <summary>`limit` as Stripe validates it: 1..100, default 10.</summary>
    public int Limit()
    {
        var limit = Long("limit") ?? 10;
        if (limit is < 1 or > 100)
        {
            throw StripeApiException.ParameterInvalid("limit", "Invalid limit: must be between 1 and 100", "parameter_invalid_integer");
        }

        return (int)limit;
    }
}
