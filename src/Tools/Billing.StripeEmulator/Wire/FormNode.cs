namespace Billing.StripeEmulator.Wire;

/// <summary>
/// One node of a request's parameter tree: either a string leaf or a map of named children.
/// Lists are maps whose keys are indices ("0", "1", ...), exactly as Stripe's form encoding spells them.
/// </summary>
internal sealed class FormNode
{
    private readonly OrderedDictionary<string, FormNode>? _children;

    private FormNode(string? value, OrderedDictionary<string, FormNode>? children)
    {
        Value = value;
        _children = children;
    }

    public string? Value { get; }

    public bool IsLeaf => _children is null;

    public IEnumerable<KeyValuePair<string, FormNode>> Children => _children ?? [];

    public static FormNode Leaf(string value) => new(value, null);

    public static FormNode Map() => new(null, new OrderedDictionary<string, FormNode>(StringComparer.Ordinal));

    public FormNode? Get(string name) =>
        _children is not null && _children.TryGetValue(name, out var child) ? child : null;

    public void Set(string name, FormNode child) => Children_()[name] = child;

    /// <summary>Appends a child under the next free index (the `expand[]=` form).</summary>
    public void Append(FormNode child)
    {
        var children = Children_();
        children[children.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)] = child;
    }

    /// <summary>Every leaf as (path, value), paths in Stripe's bracket notation, sorted: a stable fingerprint.</summary>
    public IEnumerable<KeyValuePair<string, string>> Flatten(string prefix = "")
    {
        if (IsLeaf)
        {
            yield return new(prefix, Value ?? string.Empty);
            yield break;
        }

        foreach (var (name, child) in _children!)
        {
            var path = prefix.Length == 0 ? name : $"{prefix}[{name}]";
            foreach (var leaf in child.Flatten(path))
            {
                yield return leaf;
            }
        }
    }

    private OrderedDictionary<string, FormNode> Children_() =>
        _children ?? throw new InvalidOperationException("A leaf parameter has no children.");
}
