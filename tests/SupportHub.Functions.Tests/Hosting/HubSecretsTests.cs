using System.Text;
using SupportHub.Functions.Hosting;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Hosting;

public sealed class HubSecretsTests : IDisposable
{
    private static readonly string Secret = new('s', 43);

    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private string FilePath => _data.File(HubSecrets.FileName);

    [Theory]
    // What a crash, a disk error or a hand edit leaves: each time generating new secrets over the
    // file would break every signed link and webhook sender configured with the old ones.
    [InlineData("cut short", "is not valid JSON")]
    [InlineData("empty", "is not valid JSON")]
    [InlineData("null", "is not a JSON object")]
    [InlineData("an array", "is not a JSON object")]
    [InlineData("a number for a secret", "has \"Chat\" set to something other than a secret")]
    [InlineData("an empty secret", "has \"LinkSigningKey\" set to something other than a secret")]
    [InlineData("a short secret", "has \"Sms\" set to something other than a secret")]
    [InlineData("an unpaired surrogate", "has \"ApiKey\" set to something other than a secret")]
    [InlineData("not UTF-8", "is not UTF-8 text")]
    [InlineData("a folder", "is a folder, not a file")]
    public void Resolve_DamagedFile_RefusesNamingTheFileAndWhatToDoAndLeavesItAsItWas(string damage, string says)
    {
        byte[]? content = damage switch
        {
            "cut short" => Encoding.UTF8.GetBytes($$"""{"ApiKey": "{{Secret}}", "Email": "{{Secret[..10]}}"""),
            "empty" => [],
            "null" => "null"u8.ToArray(),
            "an array" => "[]"u8.ToArray(),
            "a number for a secret" => Encoding.UTF8.GetBytes($$"""{"ApiKey": "{{Secret}}", "Chat": 42}"""),
            "an empty secret" => Encoding.UTF8.GetBytes($$"""{"ApiKey": "{{Secret}}", "LinkSigningKey": ""}"""),
            "a short secret" => """{"Sms": "sms-secret"}"""u8.ToArray(),
            "an unpaired surrogate" => Encoding.UTF8.GetBytes($$"""{"ApiKey": "{{Secret}}\ud800"}"""),
            "not UTF-8" => [.. "{\"ApiKey\": \""u8, 0xC3, 0x28, .. "\"}"u8],
            "a folder" => null,
            _ => throw new ArgumentOutOfRangeException(nameof(damage), damage, null),
        };
        if (content is null)
        {
            Directory.CreateDirectory(FilePath);
        }
        else
        {
            File.WriteAllBytes(FilePath, content);
        }

        var refused = Assert.Throws<CannotStartException>(() => HubSecrets.Resolve(new SupportHubOptions { DataPath = _data.Path }));

        Assert.StartsWith($"{FilePath} {says}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("delete it to have new secrets generated", refused.Message, StringComparison.Ordinal);
        Assert.Contains("invalidates every signed link", refused.Message, StringComparison.Ordinal);
        if (content is not null)
        {
            Assert.Equal(content, File.ReadAllBytes(FilePath));
        }

        Assert.Equal([FilePath], Directory.GetFileSystemEntries(_data.Path));
    }

    [Fact]
    public void Resolve_FileWithSomeSecrets_KeepsThemAndAddsTheRestOwnerOnly()
    {
        File.WriteAllText(FilePath, $$"""{"ApiKey": "{{Secret}}", "LinkSigningKey": null}""");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(FilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        var secrets = HubSecrets.Resolve(new SupportHubOptions { DataPath = _data.Path });
        var again = HubSecrets.Resolve(new SupportHubOptions { DataPath = _data.Path });

        Assert.Equal(Secret, secrets.ApiKey);
        Assert.Equal((secrets.ChatSecret, secrets.LinkSigningKey), (again.ChatSecret, again.LinkSigningKey));
        // Written anew: a private temporary file renamed over the old one, which leaves nothing else behind.
        Assert.Equal([FilePath], Directory.GetFileSystemEntries(_data.Path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(DataFolder.FileMode, File.GetUnixFileMode(FilePath));
        }
    }
}
