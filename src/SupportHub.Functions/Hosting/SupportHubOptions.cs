namespace SupportHub.Functions.Hosting;

// The hub's settings, bound from the configuration section "SupportHub" (environment variables
// SupportHub__Policy, SupportHub__DataPath, ...; CONTRACT.md, "Configuration"). Paths are made
// absolute against the content root before validation (SupportHubOptionsSetup); secrets left unset
// are generated once and kept in the data folder (HubSecrets), so these hold only what was configured.

/// <summary>What the operator configured under <c>SupportHub</c>.</summary>
public sealed class SupportHubOptions
{
    public const string Section = "SupportHub";

    /// <summary>The policy file. Unset: the repository's <c>samples/policy.json</c>, searched upwards from the content root.</summary>
    public string? Policy { get; set; }

    /// <summary>Folder of the SQLite file and the generated secrets.</summary>
    public string DataPath { get; set; } = "./.supporthub";

    /// <summary>Key for agent routes (<c>x-functions-key</c>); generated when unset.</summary>
    public string? ApiKey { get; set; }

    public IntakeSecretOptions Secrets { get; set; } = new();

    /// <summary>Key that signs links; generated when unset. Its UTF-8 bytes are the HMAC key.</summary>
    public string? LinkSigningKey { get; set; }

    /// <summary>Where people reach the hub: signed links are <c>{PublicBaseUrl}/api/links/{token}</c>.
    /// Unset: the first URL the hub listens on (a wildcard host read as localhost), else http://localhost:7071.</summary>
    public string? PublicBaseUrl { get; set; }
}

/// <summary>Shared secrets of the intake webhooks (<c>SupportHub:Secrets:*</c>); each generated when unset.</summary>
public sealed class IntakeSecretOptions
{
    public string? Email { get; set; }

    public string? Chat { get; set; }

    public string? Phone { get; set; }

    public string? Sms { get; set; }
}
