using Billing.FunctionsHost.Functions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace Billing.FunctionsHost.Http;

/// <summary>
/// HTTP trigger routes: <c>{routePrefix}/{route ?? name}</c> in ASP.NET Core template syntax (constraints, optional
/// and default values), tried in function-name order (case-insensitive) as the real host does, with each function's
/// allowed methods (none = all).
/// </summary>
internal sealed class HttpRouteTable
{
    private static readonly string[] AllMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    private readonly IReadOnlyList<HttpRoute> routes;

    private HttpRouteTable(IReadOnlyList<HttpRoute> routes) => this.routes = routes;

    public IReadOnlyList<HttpRoute> Routes => routes;

    public static HttpRouteTable Build(IEnumerable<FunctionDefinition> functions, string routePrefix, IInlineConstraintResolver constraints)
    {
        var routes = functions
            .Where(f => f.Trigger.Type.Equals(FunctionDefinition.HttpTrigger, StringComparison.OrdinalIgnoreCase))
            .Select(f => HttpRoute.Create(f, routePrefix, constraints))
            .OrderBy(r => r.Function.Name, StringComparer.OrdinalIgnoreCase)
            .ToArray();
        return new HttpRouteTable(routes);
    }

    /// <summary>Matches <paramref name="path"/>, the request's <c>Path.Value</c>, decoded as Kestrel gives it.</summary>
    public RouteMatch Match(string method, string path)
    {
        List<string>? allowed = null;
        foreach (var route in routes)
        {
            var values = new RouteValueDictionary();
            if (!route.TryMatch(path, values))
            {
                continue;
            }

            if (route.Methods.Count == 0 || route.Methods.Contains(method, StringComparer.OrdinalIgnoreCase))
            {
                return new RouteMatch(route, values, []);
            }

            (allowed ??= []).AddRange(route.Methods);
        }

        return new RouteMatch(null, null, allowed?.Distinct(StringComparer.OrdinalIgnoreCase).ToArray() ?? []);
    }

    internal sealed record HttpRoute(
        FunctionDefinition Function,
        string TemplateText,
        TemplateMatcher Matcher,
        IReadOnlyList<string> Methods,
        IReadOnlyList<(string Name, IRouteConstraint Constraint)> Constraints)
    {
        public IReadOnlyList<string> DisplayMethods => Methods.Count == 0 ? AllMethods : Methods;

        public static HttpRoute Create(FunctionDefinition function, string routePrefix, IInlineConstraintResolver resolver)
        {
            var route = (function.Trigger.GetString("route") ?? function.Name).Trim('/');
            var text = string.IsNullOrEmpty(routePrefix) ? route : $"{routePrefix}/{route}".TrimEnd('/');
            RouteTemplate template;
            try
            {
                template = TemplateParser.Parse(text);
            }
            catch (ArgumentException e)
            {
                throw new Configuration.HostStartupException($"Function '{function.Name}' has an invalid route '{route}': {e.Message}");
            }

            var defaults = new RouteValueDictionary();
            var constraints = new List<(string, IRouteConstraint)>();
            foreach (var parameter in template.Parameters)
            {
                if (parameter.DefaultValue is not null)
                {
                    defaults[parameter.Name!] = parameter.DefaultValue;
                }

                foreach (var inline in parameter.InlineConstraints)
                {
                    var constraint = resolver.ResolveConstraint(inline.Constraint)
                        ?? throw new Configuration.HostStartupException($"Function '{function.Name}': unknown route constraint '{inline.Constraint}'.");
                    constraints.Add((parameter.Name!, constraint));
                }
            }

            var methods = function.Trigger.GetStrings("methods").Select(m => m.ToUpperInvariant()).ToArray();
            return new HttpRoute(function, text, new TemplateMatcher(template, defaults), methods, constraints);
        }

        public bool TryMatch(string path, RouteValueDictionary values)
        {
            // new PathString, not the implicit conversion: that one unescapes, and the path is already decoded once
            // (x%2541 would give the value xA instead of x%41).
            if (!Matcher.TryMatch(new PathString(path), values))
            {
                return false;
            }

            foreach (var (name, constraint) in Constraints)
            {
                if (values.ContainsKey(name) && !constraint.Match(null, null, name, values, RouteDirection.IncomingRequest))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

/// <summary>A matched route, or none (with the methods allowed on the path, for 405).</summary>
internal sealed record RouteMatch(HttpRouteTable.HttpRoute? Route, RouteValueDictionary? Values, IReadOnlyList<string> AllowedMethods);
