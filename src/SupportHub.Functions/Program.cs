using SupportHub.Functions.Hosting;

// The function app (an Azure Functions custom handler) and, with no Azure settings, the whole hub
// in one process on http://localhost:7071. Composition: Hosting/SupportHubHosting.cs.
var builder = WebApplication.CreateBuilder(args);
builder.AddSupportHub();

var app = builder.Build();
app.MapSupportHub();

return await app.RunSupportHubAsync();
