using System.Reflection;
using System.Text.Json.Nodes;
using Billing.TestSupport;

namespace Billing.FunctionApp.Tests.Startup;

/// <summary>The settings files the worker loads set only what it reads: a setting nothing reads changes nothing while it looks as if it did.</summary>
public sealed class AppSettingsFilesTests
{
    private static readonly string AppDirectory = Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp");

    [Theory]
    [InlineData("appsettings.json")]
    [InlineData("appsettings.Development.json")]
    public void Every_section_of_the_settings_file_is_one_the_app_reads(string file)
    {
        var read = ReadSections();
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(AppDirectory, file)))!.AsObject();
        var sections = settings.Select(s => s.Key)
            .Concat(settings["Billing"]?.AsObject().Select(s => "Billing:" + s.Key) ?? []);

        Assert.All(sections, section => Assert.True(read.Contains(section), $"{file} sets '{section}', which nothing in the app reads."));
    }

    /// <summary>
    /// The sections the options of the app bind (their <c>SectionName</c>, <c>Section</c> and <c>ConnectionName</c>
    /// constants and the queue name settings), the app settings its triggers name (<c>%NAME%</c>), and the logging section.
    /// </summary>
    private static HashSet<string> ReadSections()
    {
        string[] names = ["SectionName", "Section", "ConnectionName", "SettingName", "NotificationsSettingName", "InvoiceJobsSettingName"];
        var constants = new[] { typeof(FunctionAppServices), typeof(Infrastructure.Queues.QueueNameOptions), typeof(Application.Paging), typeof(Cosmos.Configuration.CosmosOptions), typeof(Domain.Plans.Configuration.PlanCatalogOptions) }
            .SelectMany(t => t.Assembly.GetTypes())
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && names.Contains(f.Name))
            .Select(f => (string)f.GetRawConstantValue()!);
        var triggers = FunctionMetadata.Read(FunctionAppProcess.BuildOutput)
            .Select(f => f.Target)
            .Where(target => target is ['%', .., '%'])
            .Select(target => target![1..^1]);
        var read = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Logging" };
        foreach (var section in constants.Concat(triggers))
        {
            read.Add(section);
            read.Add(section.Split(':')[0]);
        }

        return read;
    }
}
