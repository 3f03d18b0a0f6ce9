using System.Text.RegularExpressions;
using Billing.QueueStorage.Protocol;
using Billing.TestSupport;
using Xunit.Abstractions;

namespace Billing.QueueStorage.Tests.Protocol;

public sealed class ApiVersionTests(ITestOutputHelper output)
{
    [Fact]
    public void The_pinned_x_ms_version_is_one_the_installed_Azurite_accepts()
    {
        // The test launcher starts Azurite with --skipApiVersionCheck, so the live tests alone would not notice.
        var constants = Path.Combine(RepoPaths.RepoRoot, "node_modules", "azurite", "dist", "src", "queue", "utils", "constants.js");
        if (!File.Exists(constants))
        {
            output.WriteLine($"Skipped: {constants} is absent (run `npm ci`).");
            return;
        }

        var list = Regex.Match(File.ReadAllText(constants), @"ValidAPIVersions\s*=\s*\[(?<versions>[^\]]*)\]");
        Assert.True(list.Success, "Azurite's ValidAPIVersions list was not found.");
        var versions = Regex.Matches(list.Groups["versions"].Value, "\"(?<v>[0-9-]+)\"").Select(m => m.Groups["v"].Value).ToList();

        Assert.Contains(QueueStorageProtocol.ApiVersion, versions);
    }
}
