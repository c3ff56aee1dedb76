using Microsoft.Extensions.Options;
using SupportHub.Policy;

namespace SupportHub.Functions.Hosting;

// Loads what the hub cannot run without before anything is handled, and tells the developer what
// the embedded hub generated for them: the API key and intake secrets (CONTRACT.md: "generated and
// printed at start"). The link signing key is never printed. A policy with errors never gets here
// (options validation stops the hub); one with warnings runs, and each warning is logged here.

/// <summary>Loads the policy and the secrets at start, logs the policy's warnings and prints the generated secrets.</summary>
public sealed partial class StartupReport(
    IOptions<SupportHubOptions> options,
    PolicyLoadResult loaded,
    HubSecrets secrets,
    HubRuntime runtime,
    ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var policy = loaded.Policy!;
        LogStarted(settings.Policy!, policy.Organization.Name, runtime, settings.DataPath);
        foreach (var warning in loaded.Warnings)
        {
            LogPolicyWarning(settings.Policy!, warning.Path, warning.Message);
        }
        var values = new Dictionary<string, string>
        {
            ["ApiKey"] = secrets.ApiKey,
            ["Secrets:Email"] = secrets.EmailSecret,
            ["Secrets:Chat"] = secrets.ChatSecret,
            ["Secrets:Phone"] = secrets.PhoneSecret,
            ["Secrets:Sms"] = secrets.SmsSecret,
        };
        foreach (var name in secrets.FromDataFolder.Where(values.ContainsKey))
        {
            LogGenerated(name, values[name], "SupportHub__" + name.Replace(":", "__", StringComparison.Ordinal), HubSecrets.FileName);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "SupportHub: policy {Policy} ({Organization}), {Runtime} runtime, data in {DataPath}")]
    private partial void LogStarted(string policy, string organization, HubRuntime runtime, string dataPath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SupportHub: policy {Policy}: warning: {Path}: {Message}")]
    private partial void LogPolicyWarning(string policy, string path, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "SupportHub:{Name} = {Value} (generated, kept in the data folder's {File}; set {Variable} to choose your own)")]
    private partial void LogGenerated(string name, string value, string variable, string file);
}
