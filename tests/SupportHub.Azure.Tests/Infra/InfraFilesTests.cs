using System.Text.RegularExpressions;
using SupportHub.Policy;
using SupportHub.Storage;
using SupportHub.Workflows;

namespace SupportHub.Azure.Tests.Infra;

// No Bicep compiler can be installed here (none on Debian's, NuGet's or npm's registries as served
// to this project), so these check what can be checked without one: that the files refer to each
// other correctly, that each customer's parameters set only declared parameters and carry a policy
// that loads, and that names and role ids match the code and AZURE-REFERENCE.md. `az bicep build`
// in the deploy workflow is the compiler's check.
public sealed partial class InfraFilesTests
{
    private static readonly string Infra = Path.Combine(RepositoryRoot(), "infra");

    public static TheoryData<string> Customers => new(Directory.GetFiles(Path.Combine(Infra, "customers"), "*.bicepparam").Select(Path.GetFileName)!);

    [Fact]
    public void Main_EveryModuleItUsesExists()
    {
        var main = File.ReadAllText(Path.Combine(Infra, "main.bicep"));
        var modules = ModuleReference().Matches(main).Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(modules);
        Assert.All(modules, module => Assert.True(File.Exists(Path.Combine(Infra, module)), module));
        Assert.Equal(
            Directory.GetFiles(Path.Combine(Infra, "modules"), "*.bicep").Select(p => "modules/" + Path.GetFileName(p)).Order(StringComparer.Ordinal),
            modules.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Customers))]
    public void Customer_SetsOnlyDeclaredParametersAndEveryRequiredOne(string file)
    {
        var text = File.ReadAllText(Path.Combine(Infra, "customers", file));
        var main = File.ReadAllText(Path.Combine(Infra, "main.bicep"));
        var declared = Declaration().Matches(main).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Success);
        var set = Assignment().Matches(text).Select(m => m.Groups[1].Value).ToList();

        Assert.Contains("using '../main.bicep'", text, StringComparison.Ordinal);
        Assert.All(set, name => Assert.True(declared.ContainsKey(name), $"{file} sets '{name}', which main.bicep does not declare"));
        Assert.All(declared.Where(d => !d.Value).Select(d => d.Key), name => Assert.Contains(name, set));
    }

    [Theory]
    [MemberData(nameof(Customers))]
    public void Customer_PolicyFileExistsAndLoads(string file)
    {
        var text = File.ReadAllText(Path.Combine(Infra, "customers", file));
        var loaded = LoadTextContent().Match(text);
        Assert.True(loaded.Success, $"{file} has no policyJson = loadTextContent(...)");

        var policy = Path.GetFullPath(Path.Combine(Infra, "customers", loaded.Groups[1].Value));
        var result = PolicyLoader.Load(File.ReadAllText(policy));

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void ServiceBus_DeclaresTheHubsQueuesWithTheQueueDefaults()
    {
        var text = File.ReadAllText(Path.Combine(Infra, "modules", "servicebus.bicep"));

        Assert.All(QueueNames.All, queue => Assert.Contains($"'{queue}'", text, StringComparison.Ordinal));
        Assert.Contains($"maxDeliveryCount: {MessageQueueOptions.Default.MaxDeliveryCount}", text, StringComparison.Ordinal);
        Assert.Contains($"duplicateDetectionHistoryTimeWindow: 'PT{MessageQueueOptions.Default.DuplicateDetectionWindow.TotalMinutes}M'", text, StringComparison.Ordinal);
        Assert.Contains("disableLocalAuth: true", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Roles_AreTheBuiltInIdsOfTheReference()
    {
        // AZURE-REFERENCE.md, "Bicep": built-in role definition ids.
        var expected = new Dictionary<string, string>
        {
            ["serviceBusDataSender"] = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
            ["serviceBusDataReceiver"] = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
            ["storageTableDataContributor"] = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
            ["storageBlobDataOwner"] = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
            ["storageQueueDataContributor"] = "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
            ["monitoringMetricsPublisher"] = "3913510d-42f4-4e42-8a64-420c390055eb",
            ["keyVaultSecretsUser"] = "4633458b-17de-408a-b874-0445c86b69e6",
        };
        var text = File.ReadAllText(Path.Combine(Infra, "modules", "roles.bicep"));

        var actual = RoleId().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

        Assert.Equal(expected.OrderBy(e => e.Key), actual.OrderBy(a => a.Key));
    }

    [Fact]
    public void Tables_DeclaresTheTablesTheCodeWrites()
    {
        var text = File.ReadAllText(Path.Combine(Infra, "modules", "storage.bicep"));

        Assert.All(
            [TicketWorkflowRunner.Table, TicketWorkflowRunner.BillingTable, SupportHub.Azure.Notifications.SentNotifications.Table, "hubhealth"],
            table => Assert.Contains($"'{table}'", text, StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Functions.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Functions.sln not found above the test output.");
    }

    [GeneratedRegex(@"^module\s+\w+\s+'([^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleReference();

    // "param name type" optionally followed by "= default".
    [GeneratedRegex(@"^param\s+(\w+)\s+\w+(\s*=)?", RegexOptions.Multiline)]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^param\s+(\w+)\s*=", RegexOptions.Multiline)]
    private static partial Regex Assignment();

    [GeneratedRegex(@"param\s+policyJson\s*=\s*loadTextContent\('([^']+)'\)")]
    private static partial Regex LoadTextContent();

    [GeneratedRegex(@"^\s+(\w+):\s*'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'", RegexOptions.Multiline)]
    private static partial Regex RoleId();
}
