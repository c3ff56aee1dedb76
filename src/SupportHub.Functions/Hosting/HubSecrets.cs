using System.Security.Cryptography;
using System.Text.Json;

namespace SupportHub.Functions.Hosting;

// The secrets the hub runs with. Configured values win; each one left unset is generated once and
// kept in <DataPath>/secrets.json (owner read/write only), so the embedded hub's API key and intake
// secrets stay the same across restarts and a developer can configure the webhook senders once.
// A secrets.json that exists but cannot be read, or is not what the hub writes, stops the start
// (CannotStartException): generating new secrets over it would silently break every signed link
// already sent and every webhook sender configured with the old ones.

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
        var stored = Read(path) ?? new StoredSecrets();
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

    // What an earlier start kept, or null when there is no file. Each value present must be a
    // secret the hub could have written: a string at least as long as a configured one must be.
    private static StoredSecrets? Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw Unusable(path, "is a folder, not a file");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unusable(path, $"cannot be read ({e.Message})", e);
        }

        // JsonDocument checks UTF-8, and the escapes of a string, only when the string is read.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            throw Unusable(path, "is not UTF-8 text");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw Unusable(path, $"is not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Unusable(path, $"is not a JSON object (it is {root.ValueKind.ToString().ToLowerInvariant()})");
            }

            string? Value(string name, int minimumLength)
            {
                if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    return null;
                }

                string? text = null;
                try
                {
                    text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                }
                catch (InvalidOperationException)
                {
                    // An escape that spells no text (an unpaired surrogate).
                }

                return text is not null && text.Trim().Length >= minimumLength
                    ? text
                    : throw Unusable(path, $"has \"{name}\" set to something other than a secret (a string of at least {minimumLength} characters)");
            }

            return new StoredSecrets
            {
                ApiKey = Value(nameof(StoredSecrets.ApiKey), SupportHubOptionsValidator.MinimumSecretLength),
                Email = Value(nameof(StoredSecrets.Email), SupportHubOptionsValidator.MinimumSecretLength),
                Chat = Value(nameof(StoredSecrets.Chat), SupportHubOptionsValidator.MinimumSecretLength),
                Phone = Value(nameof(StoredSecrets.Phone), SupportHubOptionsValidator.MinimumSecretLength),
                Sms = Value(nameof(StoredSecrets.Sms), SupportHubOptionsValidator.MinimumSecretLength),
                LinkSigningKey = Value(nameof(StoredSecrets.LinkSigningKey), SupportHubOptionsValidator.MinimumSigningKeyLength),
            };
        }
    }

    private static CannotStartException Unusable(string path, string what, Exception? inner = null) => new(
        $"{path} {what}. Fix it (restore it from a backup; make it a file the hub's user can read), or delete it to have "
        + "new secrets generated: deleting it invalidates every signed link already sent (acknowledge, approve, survey) "
        + "and replaces the generated API key and intake secrets, so agents and every webhook sender (SendGrid, chat, "
        + "IVR, Event Grid) must be given the new ones.",
        inner);

    // Written to a private temporary file of its own, flushed to disk, and renamed over the old one:
    // the file is never readable by others, never half-written, and never lost to a crash.
    private static void Save(string path, StoredSecrets stored)
    {
        var folder = Path.GetDirectoryName(path)!;
        DataFolder.Create(folder);
        var temporary = Path.Combine(folder, $".{FileName}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = DataFolder.FileMode;
        }

        try
        {
            using (var file = new FileStream(temporary, create))
            {
                JsonSerializer.Serialize(file, stored, Json);
                file.Flush(flushToDisk: true);
            }

            // UnixCreateMode passes through the umask: set the mode outright.
            DataFolder.RestrictFile(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // A leftover temporary file is harmless; the error that matters is the one below.
            }

            throw new CannotStartException($"{path} cannot be written ({e.Message}). Make the data folder writable by the hub's user.", e);
        }
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
