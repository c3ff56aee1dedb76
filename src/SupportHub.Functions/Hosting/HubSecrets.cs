using System.Security.Cryptography;
using System.Text.Json;

namespace SupportHub.Functions.Hosting;

// The secrets the hub runs with. Configured values win; each one left unset is generated once and
// kept in <DataPath>/secrets.json (owner read/write only), so the embedded hub's API key and intake
// secrets stay the same across restarts and a developer can configure the webhook senders once.

/// <summary>The effective secrets: configured, or generated and kept in the data folder.</summary>
/// <param name="FromDataFolder">Names of the settings that were not configured (and so came from the data folder).</param>
public sealed record HubSecrets(
    string ApiKey,
    string EmailSecret,
    string ChatSecret,
    string PhoneSecret,
    string SmsSecret,
    string LinkSigningKey,
    IReadOnlyList<string> FromDataFolder)
{
    /// <summary>The file inside the data folder.</summary>
    public const string FileName = "secrets.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Fills every unset secret from the data folder's file, generating (and saving) the missing ones.</summary>
    public static HubSecrets Resolve(SupportHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = Path.Combine(options.DataPath, FileName);
        var stored = File.Exists(path)
            ? JsonSerializer.Deserialize<StoredSecrets>(File.ReadAllText(path)) ?? new StoredSecrets()
            : new StoredSecrets();
        var fromFolder = new List<string>();
        var changed = false;

        string Pick(string name, string? configured, string? kept, Action<string> keep)
        {
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }

            fromFolder.Add(name);
            if (!string.IsNullOrEmpty(kept))
            {
                return kept;
            }

            var generated = Base64Url(RandomNumberGenerator.GetBytes(32));
            keep(generated);
            changed = true;
            return generated;
        }

        var secrets = new HubSecrets(
            Pick("ApiKey", options.ApiKey, stored.ApiKey, v => stored.ApiKey = v),
            Pick("Secrets:Email", options.Secrets.Email, stored.Email, v => stored.Email = v),
            Pick("Secrets:Chat", options.Secrets.Chat, stored.Chat, v => stored.Chat = v),
            Pick("Secrets:Phone", options.Secrets.Phone, stored.Phone, v => stored.Phone = v),
            Pick("Secrets:Sms", options.Secrets.Sms, stored.Sms, v => stored.Sms = v),
            Pick("LinkSigningKey", options.LinkSigningKey, stored.LinkSigningKey, v => stored.LinkSigningKey = v),
            fromFolder);

        if (changed)
        {
            Save(path, stored);
        }

        return secrets;
    }

    // Never printed: a signed link is only as good as this key's secrecy.
    public override string ToString() => $"HubSecrets {{ from data folder: {string.Join(", ", FromDataFolder)} }}";

    // Written to a private temporary file first and moved into place, so the file is never readable
    // by others nor half-written.
    private static void Save(string path, StoredSecrets stored)
    {
        var folder = Path.GetDirectoryName(path)!;
        DataFolder.Create(folder);
        var temporary = Path.Combine(folder, $".{FileName}.{Environment.ProcessId}.tmp");
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temporary, create))
        {
            JsonSerializer.Serialize(file, stored, Json);
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode is filtered by the umask and ignored for an existing file: set it outright.
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class StoredSecrets
    {
        public string? ApiKey { get; set; }

        public string? Email { get; set; }

        public string? Chat { get; set; }

        public string? Phone { get; set; }

        public string? Sms { get; set; }

        public string? LinkSigningKey { get; set; }
    }
}
