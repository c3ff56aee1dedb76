using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using SupportHub.Functions.CustomHandler;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Testing;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tests.CustomHandler;

[Collection(SerialHubCollection.Name)]
public sealed class FunctionMetadataTests
{
    [Fact]
    public void Write_EveryCatalogFunction_GetsItsFunctionJson()
    {
        using var folder = new TemporaryDirectory();

        var exit = FunctionMetadata.RunIfAsked([FunctionMetadata.Verb, folder.Path], TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, exit);
        Assert.Equal(
            FunctionCatalog.All.Select(f => f.Name).Order(StringComparer.Ordinal),
            Directory.GetDirectories(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var function in FunctionCatalog.All)
        {
            var written = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Path, function.Name, "function.json")));
            Assert.True(JsonNode.DeepEquals(FunctionMetadata.ToJson(function), written), function.Name);
        }
    }

    [Fact]
    public void ToJson_EachTriggerKind_HasTheDocumentedBindingShape()
    {
        // AZURE-REFERENCE.md's function.json examples, with this hub's names.
        Assert.Equal(
            """{"bindings":[{"type":"httpTrigger","authLevel":"anonymous","direction":"in","name":"req","methods":["post"],"route":"api/intake/chat"},{"type":"http","direction":"out","name":"res"}]}""",
            FunctionMetadata.ToJson(FunctionCatalog.Find("IntakeChat")!).ToJsonString());
        Assert.Equal(
            """{"bindings":[{"type":"serviceBusTrigger","direction":"in","name":"message","queueName":"tickets-inbound","connection":"ServiceBus"}]}""",
            FunctionMetadata.ToJson(FunctionCatalog.Find("TicketsInbound")!).ToJsonString());
        Assert.Equal(
            """{"bindings":[{"type":"timerTrigger","direction":"in","name":"timer","schedule":"0 */5 * * * *"}]}""",
            FunctionMetadata.ToJson(FunctionCatalog.Find("Housekeeping")!).ToJsonString());
    }

    [Fact]
    public void RunIfAsked_OtherArguments_LetsTheAppRunOrRefusesUsage()
    {
        Assert.Null(FunctionMetadata.RunIfAsked([], TextWriter.Null, TextWriter.Null));
        Assert.Null(FunctionMetadata.RunIfAsked(["--urls", "http://127.0.0.1:5000"], TextWriter.Null, TextWriter.Null));
        Assert.Equal(2, FunctionMetadata.RunIfAsked([FunctionMetadata.Verb], TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public void Catalog_NamesAreUniqueAndEveryQueueHasOneFunction()
    {
        Assert.Equal(FunctionCatalog.All.Count, FunctionCatalog.All.Select(f => f.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(
            QueueNames.All.Order(StringComparer.Ordinal),
            FunctionCatalog.All.Select(f => f.Trigger).OfType<ServiceBusTrigger>().Select(t => t.Queue).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Catalog_HttpRoutes_IncludeEveryContractRoute()
    {
        // CONTRACT.md, "HTTP", less /dev/outbox (embedded only). The hub may add routes (split), never drop one.
        string[] contract =
        [
            "POST api/intake/email", "POST api/intake/chat", "POST api/intake/phone", "POST api/events/sms",
            "GET api/tickets/{}", "GET api/tickets", "POST api/tickets/{}/reply", "POST api/tickets/{}/status",
            "POST api/tickets/{}/severity", "POST api/tickets/{}/ack", "GET api/links/{}", "POST api/links/{}",
            "GET api/metrics", "GET healthz",
        ];

        Assert.Empty(contract.Except(CatalogRoutes(), StringComparer.Ordinal));
    }

    [Fact]
    public void App_EveryRouteItMaps_IsACatalogFunction()
    {
        // A route the app answers but no function.json declares would be unreachable in Azure.
        using var data = new TemporaryDirectory();
        using var hub = new HubFactory(data.Path);
        hub.CreateClient().Dispose();

        var mapped = hub.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => !(e.RoutePattern.RawText ?? string.Empty).TrimStart('/').StartsWith("dev/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {Normalize(e.RoutePattern.RawText!)}"))
            .ToList();

        Assert.NotEmpty(mapped);
        Assert.All(mapped, route => Assert.Contains(route, CatalogRoutes()));
    }

    [Fact]
    public void HostJson_NamesThePublishedExecutableAndAnEmptyRoutePrefix()
    {
        var hostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "host.json")))!;

        Assert.Equal("SupportHub.Functions", hostJson["customHandler"]!["description"]!["defaultExecutablePath"]!.GetValue<string>());
        Assert.True(hostJson["customHandler"]!["enableForwardingHttpRequest"]!.GetValue<bool>());
        Assert.Equal(string.Empty, hostJson["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
    }

    private static List<string> CatalogRoutes() =>
        FunctionCatalog.All
            .Where(f => f.Trigger is HttpTrigger)
            .SelectMany(f => ((HttpTrigger)f.Trigger).Methods.Select(m => $"{m.ToUpperInvariant()} {Normalize(((HttpTrigger)f.Trigger).Route)}"))
            .ToList();

    // Parameter names differ between a route template and function.json ({ticket} vs {ref}); their places do not.
    private static string Normalize(string route) =>
        System.Text.RegularExpressions.Regex.Replace(route.Trim('/').ToLowerInvariant(), "\\{[^}]*\\}", "{}");

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
}
