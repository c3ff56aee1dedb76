using System.Text.Json;
using System.Text.Json.Nodes;

namespace SupportHub.Functions.CustomHandler;

// The function.json files the Functions host reads (one folder per function beside host.json),
// generated from FunctionCatalog so the deployed functions cannot drift from the code:
//   dotnet SupportHub.Functions.dll --write-function-metadata <dir>
// (scripts/publish.sh runs it against the published app). Program.cs builds the app and maps its
// routes first, exactly as it does to serve them, and hands over the app's endpoint table, from
// which the catalog takes the HTTP functions; the app is never started. Binding shapes:
// MicrosoftDocs functions-custom-handlers / functions-bindings-*.

/// <summary>Writes one <c>{Name}/function.json</c> per catalogued function.</summary>
public static class FunctionMetadata
{
    public const string Verb = "--write-function-metadata";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Handles the <see cref="Verb"/> command line; returns its exit code, or null when the
    /// arguments are not that verb and the app should run.</summary>
    public static int? RunIfAsked(string[] args, EndpointDataSource endpoints, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(endpoints);
        if (args.Length == 0 || args[0] != Verb)
        {
            return null;
        }

        if (args.Length != 2 || string.IsNullOrWhiteSpace(args[1]))
        {
            error.WriteLine($"usage: SupportHub.Functions {Verb} <folder>");
            return 2;
        }

        var written = Write(args[1], FunctionCatalog.All(endpoints));
        output.WriteLine($"wrote {written.Count} function.json files under {Path.GetFullPath(args[1])}");
        return 0;
    }

    /// <summary>Writes the files of <paramref name="functions"/> under <paramref name="folder"/>, replacing what an earlier run wrote there.</summary>
    public static IReadOnlyList<string> Write(string folder, IEnumerable<FunctionDefinition> functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var written = new List<string>();
        foreach (var function in functions)
        {
            var directory = Directory.CreateDirectory(Path.Combine(folder, function.Name));
            var path = Path.Combine(directory.FullName, "function.json");
            File.WriteAllText(path, ToJson(function).ToJsonString(Indented) + "\n");
            written.Add(path);
        }

        return written;
    }

    /// <summary>The function.json document of <paramref name="function"/>.</summary>
    public static JsonObject ToJson(FunctionDefinition function) => new()
    {
        ["bindings"] = function.Trigger switch
        {
            HttpTrigger http => new JsonArray(
                new JsonObject
                {
                    ["type"] = "httpTrigger",
                    ["authLevel"] = "anonymous",
                    ["direction"] = "in",
                    ["name"] = InvocationEndpoints.HttpBinding,
                    ["methods"] = new JsonArray(http.Methods.Select(m => (JsonNode)m).ToArray()),
                    ["route"] = http.Route,
                },
                new JsonObject { ["type"] = "http", ["direction"] = "out", ["name"] = "res" }),
            ServiceBusTrigger serviceBus => new JsonArray(new JsonObject
            {
                ["type"] = "serviceBusTrigger",
                ["direction"] = "in",
                ["name"] = InvocationEndpoints.MessageBinding,
                ["queueName"] = serviceBus.Queue,
                ["connection"] = FunctionCatalog.ServiceBusConnection,
            }),
            TimerTrigger timer => new JsonArray(new JsonObject
            {
                ["type"] = "timerTrigger",
                ["direction"] = "in",
                ["name"] = InvocationEndpoints.TimerBinding,
                ["schedule"] = timer.Schedule,
            }),
            _ => throw new InvalidOperationException($"No function.json shape for {function.Trigger.GetType().Name}."),
        },
    };
}
