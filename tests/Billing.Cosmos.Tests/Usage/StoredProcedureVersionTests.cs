using System.Security.Cryptography;
using System.Text;
using Billing.Cosmos.Usage;

namespace Billing.Cosmos.Tests.Usage;

/// <summary>
/// Cosmos DB keeps a procedure by id, and code and procedure are deployed at different moments: a changed script under
/// the same id would run the new code against the old script (or the reverse). So each script is pinned to its id.
/// </summary>
public sealed class StoredProcedureVersionTests
{
    public static TheoryData<string, string, string, string> Procedures => new()
    {
        { "record-usage.js", CosmosUsageLedger.RecordUsageProcedureId, CosmosUsageLedger.RecordUsageProcedureBody, "recordUsage-v5:52e6a6f8e6b205143ef884fa76403339dcfd9abc14b23ed53f7a725d3be31a12" },
        { "allocate.js", CosmosAllocationLedger.AllocateProcedureId, CosmosAllocationLedger.AllocateProcedureBody, "allocate-v3:b6faf4106a363f26ddf4db5bf64272e208a9640e86119d982d21d063de0f2f2d" },
    };

    [Theory]
    [MemberData(nameof(Procedures))]
    public void Each_procedure_script_is_the_one_its_id_was_given_to(string file, string id, string body, string pinned)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body.ReplaceLineEndings("\n"))));

        Assert.True(
            $"{id}:{hash}" == pinned,
            $"{file} changed (now {id}:{hash}, pinned {pinned}). A change of behaviour needs a new procedure id (the next " +
            "version) in its ledger's constant, infra/modules/cosmos.bicep, the script's header and the docs; then pin the new " +
            "id and hash here. Only when nothing but comments changed, pin the new hash under the same id.");
    }
}
