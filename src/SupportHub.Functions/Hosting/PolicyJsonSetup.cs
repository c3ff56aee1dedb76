using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SupportHub.Functions.Hosting;

// SupportHub:PolicyJson carries the policy document itself (an app setting from
// infra/customers/<name>.bicepparam) instead of a SupportHub:Policy path. Either runtime accepts it.

/// <summary>SupportHub:PolicyJson → a private file whose path becomes SupportHub:Policy (before the paths are resolved).</summary>
public sealed class PolicyJsonSetup(IConfiguration configuration) : IConfigureOptions<SupportHubOptions>
{
    public const string Setting = "SupportHub:PolicyJson";

    public void Configure(SupportHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var json = configuration[Setting];
        if (string.IsNullOrWhiteSpace(json) || !string.IsNullOrWhiteSpace(options.Policy))
        {
            return;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"supporthub-policy-{hash}.json");
        if (!File.Exists(path))
        {
            var temporary = path + $".{Environment.ProcessId}.tmp";
            File.WriteAllText(temporary, json);
            File.Move(temporary, path, overwrite: true);
        }

        options.Policy = path;
    }
}
