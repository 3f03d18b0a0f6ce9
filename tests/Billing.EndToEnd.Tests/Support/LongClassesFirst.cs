using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Billing.EndToEnd.Tests.Support.LongClassesFirst", "Billing.EndToEnd.Tests")]

namespace Billing.EndToEnd.Tests.Support;

/// <summary>
/// Starts the test collections marked <c>[Trait(LongClassesFirst.Trait, LongClassesFirst.LongRunning)]</c> (the longest chains of
/// tests run one after another) before the others, so a run does not end on one long class started last while the other
/// threads idle. Otherwise xUnit's own order is kept. The same trait lets a developer leave them out:
/// <c>--filter "Duration!=Long"</c>.
/// </summary>
public sealed class LongClassesFirst : ITestCollectionOrderer
{
    public const string Trait = "Duration";

    public const string LongRunning = "Long";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .Select((collection, index) => (collection, index, isLong: IsLong(collection)))
            .OrderBy(c => c.isLong ? 0 : 1)
            .ThenBy(c => c.index)
            .Select(c => c.collection);

    // A class without [Collection] is its own collection, named after the class; a named collection is long when its
    // definition or any class in it says so: xUnit gives the orderer collections only, so the classes are found by name.
    private static bool IsLong(ITestCollection collection)
    {
        var assembly = collection.TestAssembly.Assembly;
        if (collection.CollectionDefinition is { } definition && HasLongTrait(definition))
        {
            return true;
        }

        const string prefix = "Test collection for ";
        return collection.DisplayName.StartsWith(prefix, StringComparison.Ordinal)
            && assembly.GetType(collection.DisplayName[prefix.Length..]) is { } type
            && HasLongTrait(type);
    }

    private static bool HasLongTrait(ITypeInfo type) =>
        type.GetCustomAttributes(typeof(TraitAttribute)).Any(a =>
            a.GetConstructorArguments().ToArray() is [string name, string value]
            && name == Trait
            && value == LongRunning);
}
