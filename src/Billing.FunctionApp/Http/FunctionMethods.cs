using System.Collections.Concurrent;
using System.Reflection;

namespace Billing.FunctionApp.Http;

/// <summary>The method behind a function's entry point (<c>Namespace.Class.Method</c>), for the attributes worker middleware reads.</summary>
internal static class FunctionMethods
{
    private static readonly ConcurrentDictionary<string, MethodInfo> Methods = new(StringComparer.Ordinal);

    public static T? Attribute<T>(FunctionContext context)
        where T : Attribute
    {
        ArgumentNullException.ThrowIfNull(context);
        return Methods.GetOrAdd(context.FunctionDefinition.EntryPoint, Find).GetCustomAttribute<T>();
    }

    private static MethodInfo Find(string entryPoint)
    {
        var split = entryPoint.LastIndexOf('.');
        return typeof(FunctionMethods).Assembly.GetType(entryPoint[..split], throwOnError: true)!
            .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Single(m => m.Name == entryPoint[(split + 1)..]);
    }
}
