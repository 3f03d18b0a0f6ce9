using System.CommandLine;

namespace Billing.Cli.Tokens;

/// <summary><c>--settings PATH</c>: a function app settings file with the development Auth section; a path that does not exist is a usage error.</summary>
public static class SettingsOption
{
    public const string Name = "--settings";

    public static Option<string?> Create(string description, bool recursive = false)
    {
        var option = new Option<string?>(Name) { Description = description, Recursive = recursive };
        option.Validators.Add(result =>
        {
            var path = result.GetValueOrDefault<string?>();
            if (path is not null && !File.Exists(path))
            {
                result.AddError($"{Name}: no such file '{path}'.");
            }
        });
        return option;
    }
}
