using Microsoft.Extensions.Options;
using SupportHub.Policy;

namespace SupportHub.Functions.Hosting;

// Relative paths in configuration (DataPath, Policy) are resolved from the checkout's root when the hub
// runs from one (the folder holding samples/policy.json, found by walking up from the content root):
// `dotnet run --project src/SupportHub.Functions` runs in the project's folder, yet its data belongs in
// ./.supporthub at the root, where the README and a newcomer look for it. Elsewhere (a published hub)
// they are resolved from the content root, the process's working directory. An unset policy means the
// sample the repository ships. Done once, here, so every consumer sees absolute paths.

/// <summary>Resolves <see cref="SupportHubOptions"/> paths before validation.</summary>
public sealed class SupportHubOptionsSetup(IHostEnvironment environment, IConfiguration configuration) : IPostConfigureOptions<SupportHubOptions>
{
    /// <summary>Where the sample policy sits in the repository.</summary>
    public static readonly string SamplePolicy = Path.Combine("samples", "policy.json");

    public void PostConfigure(string? name, SupportHubOptions options)
    {
        var sample = FindUpwards(SamplePolicy, environment.ContentRootPath);
        var root = sample is null ? environment.ContentRootPath : Path.GetDirectoryName(Path.GetDirectoryName(sample))!;
        if (!string.IsNullOrWhiteSpace(options.DataPath))
        {
            options.DataPath = Path.GetFullPath(options.DataPath, root);
        }

        options.Policy = string.IsNullOrWhiteSpace(options.Policy)
            ? sample ?? FindUpwards(SamplePolicy, AppContext.BaseDirectory)
            : Path.GetFullPath(options.Policy, root);

        if (string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            options.PublicBaseUrl = ListeningUrl(configuration["urls"]);
        }

        options.PublicBaseUrl = options.PublicBaseUrl.TrimEnd('/');
    }

    // "http://*:8080;https://..." → http://localhost:8080: a wildcard host is where a browser on
    // this machine reaches the hub.
    private static string ListeningUrl(string? urls)
    {
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (first is null)
        {
            return SupportHubHosting.DefaultUrl;
        }

        foreach (var wildcard in new[] { "://*", "://+", "://0.0.0.0", "://[::]" })
        {
            first = first.Replace(wildcard, "://localhost", StringComparison.Ordinal);
        }

        return first;
    }

    private static string? FindUpwards(string relativePath, string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>Checks what was configured, including that the policy loads: start-up stops listing every problem
/// (the policy's errors; its warnings do not stop it, <see cref="StartupReport"/> logs them).</summary>
public sealed class SupportHubOptionsValidator(IHostEnvironment environment, IConfiguration configuration) : IValidateOptions<SupportHubOptions>
{
    /// <summary>Shortest secret accepted from configuration: 128 bits as base64 or hex is longer.</summary>
    public const int MinimumSecretLength = 16;

    /// <summary>Shortest link signing key: a 256-bit HMAC key.</summary>
    public const int MinimumSigningKeyLength = 32;

    public ValidateOptionsResult Validate(string? name, SupportHubOptions options)
    {
        var failures = new List<string>();

        if (!string.IsNullOrWhiteSpace(configuration[PolicyJsonSetup.Setting]) && !string.IsNullOrWhiteSpace(configuration["SupportHub:Policy"]))
        {
            failures.Add("SupportHub:Policy and SupportHub:PolicyJson are both set; set one.");
        }

        if (options.Policy is null)
        {
            failures.Add($"SupportHub:Policy is not set and no {SupportHubOptionsSetup.SamplePolicy} was found above '{environment.ContentRootPath}'.");
        }
        else if (!File.Exists(options.Policy))
        {
            failures.Add($"SupportHub:Policy: no file at '{options.Policy}'.");
        }
        else
        {
            failures.AddRange(PolicyFile.Errors(options.Policy).Select(p => $"SupportHub:Policy: {options.Policy}: {p}"));
        }

        if (string.IsNullOrWhiteSpace(options.DataPath))
        {
            failures.Add("SupportHub:DataPath is empty.");
        }
        else if (File.Exists(options.DataPath))
        {
            failures.Add($"SupportHub:DataPath: '{options.DataPath}' is a file, not a folder.");
        }

        CheckSecret(failures, "SupportHub:ApiKey", options.ApiKey, MinimumSecretLength);
        CheckSecret(failures, "SupportHub:Secrets:Email", options.Secrets.Email, MinimumSecretLength);
        CheckSecret(failures, "SupportHub:Secrets:Chat", options.Secrets.Chat, MinimumSecretLength);
        CheckSecret(failures, "SupportHub:Secrets:Phone", options.Secrets.Phone, MinimumSecretLength);
        CheckSecret(failures, "SupportHub:Secrets:Sms", options.Secrets.Sms, MinimumSecretLength);
        CheckSecret(failures, "SupportHub:LinkSigningKey", options.LinkSigningKey, MinimumSigningKeyLength);

        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var baseUrl)
            || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps)
            || baseUrl.Query.Length > 0 || baseUrl.Fragment.Length > 0)
        {
            failures.Add($"SupportHub:PublicBaseUrl '{options.PublicBaseUrl}' is not an absolute http(s) URL without query or fragment.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Unset or empty is fine (generated); set but short is a mistake worth stopping for.
    private static void CheckSecret(List<string> failures, string key, string? value, int minimumLength)
    {
        if (!string.IsNullOrEmpty(value) && value.Trim().Length < minimumLength)
        {
            failures.Add($"{key} is set but shorter than {minimumLength} characters; set a longer value or unset it to have one generated.");
        }
    }
}
