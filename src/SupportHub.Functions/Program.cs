using SupportHub.Functions.CustomHandler;
using SupportHub.Functions.Hosting;

// Publish step (scripts/publish.sh): write the function.json files and exit.
if (FunctionMetadata.RunIfAsked(args, Console.Out, Console.Error) is { } exitCode)
{
    return exitCode;
}

// The function app (an Azure Functions custom handler) and, with no Azure settings, the whole hub
// in one process on http://localhost:7071. Composition: Hosting/SupportHubHosting.cs.
var builder = WebApplication.CreateBuilder(args);
builder.AddSupportHub();

var app = builder.Build();
app.MapSupportHub();

return await app.RunSupportHubAsync();
