using SupportHub.Functions.CustomHandler;
using SupportHub.Functions.Hosting;

// The function app (an Azure Functions custom handler) and, with no Azure settings, the whole hub
// in one process on http://localhost:7071. Composition: Hosting/SupportHubHosting.cs.
var builder = WebApplication.CreateBuilder(args);
builder.AddSupportHub();

var app = builder.Build();
app.MapSupportHub();

// Publish step (scripts/publish.sh): write the function.json files from the routes just mapped, and exit.
var endpoints = new CompositeEndpointDataSource(((IEndpointRouteBuilder)app).DataSources);
if (FunctionMetadata.RunIfAsked(args, endpoints, Console.Out, Console.Error) is { } exitCode)
{
    return exitCode;
}

return await app.RunSupportHubAsync();
