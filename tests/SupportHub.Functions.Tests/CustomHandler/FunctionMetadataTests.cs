using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using SupportHub.Functions.CustomHandler;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Testing;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tests.CustomHandler;

[Collection(SerialHubCollection.Name)]
public sealed class FunctionMetadataTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();
    private readonly HubFactory _hub;

    public FunctionMetadataTests()
    {
        _hub = new HubFactory(_data.Path);
        _hub.CreateClient().Dispose();
    }

    public void Dispose()
    {
        _hub.Dispose();
        _data.Dispose();
    }

    /// <summary>The endpoint table of the running hub, from which the catalog takes its HTTP functions.</summary>
    private EndpointDataSource Endpoints => _hub.Services.GetRequiredService<EndpointDataSource>();

    private IReadOnlyList<FunctionDefinition> Catalog => FunctionCatalog.All(Endpoints);

    [Fact]
    public void Write_EveryCatalogFunction_GetsItsFunctionJson()
    {
        using var folder = new TemporaryDirectory();

        var exit = FunctionMetadata.RunIfAsked([FunctionMetadata.Verb, folder.Path], Endpoints, TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, exit);
        Assert.Equal(
            Catalog.Select(f => f.Name).Order(StringComparer.Ordinal),
            Directory.GetDirectories(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var function in Catalog)
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
            FunctionMetadata.ToJson(Function("IntakeChat")).ToJsonString());
        // One function answers the SMS events and Event Grid's CloudEvents handshake: the host must pass it OPTIONS too.
        Assert.Equal(
            """{"bindings":[{"type":"httpTrigger","authLevel":"anonymous","direction":"in","name":"req","methods":["post","options"],"route":"api/events/sms"},{"type":"http","direction":"out","name":"res"}]}""",
            FunctionMetadata.ToJson(Function("EventsSms")).ToJsonString());
        Assert.Equal(
            """{"bindings":[{"type":"serviceBusTrigger","direction":"in","name":"message","queueName":"tickets-inbound","connection":"ServiceBus"}]}""",
            FunctionMetadata.ToJson(Function("TicketsInbound")).ToJsonString());
        Assert.Equal(
            """{"bindings":[{"type":"timerTrigger","direction":"in","name":"timer","schedule":"0 */5 * * * *"}]}""",
            FunctionMetadata.ToJson(Function("Housekeeping")).ToJsonString());
    }

    [Fact]
    public void RunIfAsked_OtherArguments_LetsTheAppRunOrRefusesUsage()
    {
        Assert.Null(FunctionMetadata.RunIfAsked([], Endpoints, TextWriter.Null, TextWriter.Null));
        Assert.Null(FunctionMetadata.RunIfAsked(["--urls", "http://127.0.0.1:5000"], Endpoints, TextWriter.Null, TextWriter.Null));
        Assert.Equal(2, FunctionMetadata.RunIfAsked([FunctionMetadata.Verb], Endpoints, TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public void Catalog_NamesAreUniqueAndEveryQueueHasOneFunction()
    {
        Assert.Equal(Catalog.Count, Catalog.Select(f => f.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(
            QueueNames.All.Order(StringComparer.Ordinal),
            Catalog.Select(f => f.Trigger).OfType<ServiceBusTrigger>().Select(t => t.Queue).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Catalog_Names_AreTheDeployedFunctions()
    {
        // A function's name is what Azure knows it by (its folder, its logs and metrics): renaming one
        // is a change of deployment, not of code, so the names are written out here.
        string[] deployed =
        [
            "IntakeEmail", "IntakeChat", "IntakePhone", "EventsSms",
            "TicketGet", "TicketList", "TicketReply", "TicketStatus", "TicketSeverity", "TicketAck", "TicketSplit",
            "Links", "Metrics", "Board", "BoardScript", "BoardStyle", "BoardData", "Health",
            "TicketsInbound", "WorkflowEvents", "NotificationsOutbound", "Housekeeping",
        ];

        Assert.Equal(deployed.Order(StringComparer.Ordinal), Catalog.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Catalog_HttpRoutes_IncludeEveryContractRoute()
    {
        // CONTRACT.md, "HTTP", less /dev/outbox (embedded only). The hub may add routes (split), never drop one.
        // Event Grid's CloudEvents handshake is an OPTIONS on the SMS route (issue 23).
        string[] contract =
        [
            "POST api/intake/email", "POST api/intake/chat", "POST api/intake/phone", "POST api/events/sms", "OPTIONS api/events/sms",
            "GET api/tickets/{}", "GET api/tickets", "POST api/tickets/{}/reply", "POST api/tickets/{}/status",
            "POST api/tickets/{}/severity", "POST api/tickets/{}/ack", "GET api/links/{}", "POST api/links/{}",
            "GET api/metrics", "GET healthz",
        ];

        Assert.Empty(contract.Except(CatalogRoutes(Catalog), StringComparer.Ordinal));
    }

    [Fact]
    public void App_EveryRouteItMaps_IsACatalogFunction()
    {
        // A route the app answers but no function.json declares would be unreachable in Azure.
        var mapped = Routes(Endpoints)
            .Where(r => !r.Split(' ')[1].StartsWith("dev/", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(mapped);
        Assert.All(mapped, route => Assert.Contains(route, CatalogRoutes(Catalog)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void App_MappedRoutesAndHttpFunctions_AreTheSame(bool underFunctionsHost)
    {
        // Every route the hub maps is an HTTP function with the same methods, and every HTTP function
        // is a route it maps, except what is deliberately not exposed through the Functions host: the
        // dev outbox (embedded only, and only to loopback callers) and, under the host, the POST
        // /{Name} invocation endpoints of the Service Bus and timer functions, which the host calls
        // itself.
        using var data = new TemporaryDirectory();
        using var hub = new HubFactory(data.Path,
            underFunctionsHost ? new Dictionary<string, string?> { [InvocationEndpoints.PortSetting] = "7199" } : null);
        hub.CreateClient().Dispose();
        var endpoints = hub.Services.GetRequiredService<EndpointDataSource>();
        string[] notExposed = ["GET dev/outbox", "GET dev/outbox.json", .. FunctionCatalog.Invoked.Select(f => $"POST {f.Name.ToLowerInvariant()}")];

        var mapped = Routes(endpoints).Except(notExposed, StringComparer.Ordinal).Order(StringComparer.Ordinal);

        Assert.Equal(mapped, CatalogRoutes(FunctionCatalog.Http(endpoints)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Http_TwoEndpointsWithOneName_Throws()
    {
        // A function serves one route; two endpoints of one name would make one function.json hide the other.
        var first = new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/a"), 0, new EndpointMetadataCollection(new EndpointNameMetadata("Same")), "a");
        var second = new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/b"), 0, new EndpointMetadataCollection(new EndpointNameMetadata("same")), "b");

        Assert.Throws<InvalidOperationException>(() => FunctionCatalog.Http(new DefaultEndpointDataSource(first, second)));
    }

    private FunctionDefinition Function(string name) => Catalog.Single(f => f.Name == name);

    /// <summary>Each route the app maps, once per method: <c>GET api/tickets/{}</c>.</summary>
    private static List<string> Routes(EndpointDataSource endpoints) =>
        endpoints.Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {Normalize(e.RoutePattern.RawText!)}"))
            .ToList();

    [Fact]
    public void HostJson_NamesThePublishedExecutableAndAnEmptyRoutePrefix()
    {
        var hostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "host.json")))!;

        Assert.Equal("SupportHub.Functions", hostJson["customHandler"]!["description"]!["defaultExecutablePath"]!.GetValue<string>());
        Assert.True(hostJson["customHandler"]!["enableForwardingHttpRequest"]!.GetValue<bool>());
        Assert.Equal(string.Empty, hostJson["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
    }

    private static List<string> CatalogRoutes(IEnumerable<FunctionDefinition> functions) =>
        functions
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
