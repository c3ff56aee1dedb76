using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using SupportHub.Functions.Hosting;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Hosting;

public sealed class SupportHubOptionsSetupTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void PostConfigure_RelativePathsOutsideACheckout_AreResolvedAgainstTheContentRoot()
    {
        var options = new SupportHubOptions { DataPath = "./.supporthub", Policy = "config/policy.json" };

        Setup(_root.Path).PostConfigure(null, options);

        Assert.Equal(Path.Combine(_root.Path, ".supporthub"), options.DataPath);
        Assert.Equal(Path.Combine(_root.Path, "config", "policy.json"), options.Policy);
    }

    [Fact]
    public void PostConfigure_InACheckout_FindsTheSampleAndKeepsDataAtTheCheckoutsRoot()
    {
        // `dotnet run --project src/SupportHub.Functions`: the content root is two levels below samples/.
        var sample = Path.Combine(_root.Path, "samples", "policy.json");
        Directory.CreateDirectory(Path.GetDirectoryName(sample)!);
        File.WriteAllText(sample, "{}");
        var contentRoot = Directory.CreateDirectory(Path.Combine(_root.Path, "src", "SupportHub.Functions")).FullName;
        var options = new SupportHubOptions();

        Setup(contentRoot).PostConfigure(null, options);

        Assert.Equal(sample, options.Policy);
        // Where the README says the data is (./.supporthub), not src/SupportHub.Functions/.supporthub.
        Assert.Equal(Path.Combine(_root.Path, ".supporthub"), options.DataPath);
    }

    [Theory]
    // Nothing configured: the Functions host's local port. A wildcard host: where a local browser reaches it.
    [InlineData(null, "http://localhost:7071")]
    [InlineData("http://*:8080;https://*:8443", "http://localhost:8080")]
    [InlineData("http://127.0.0.1:5005/", "http://127.0.0.1:5005")]
    public void PostConfigure_NoPublicBaseUrl_UsesTheFirstListeningUrl(string? urls, string expected)
    {
        var options = new SupportHubOptions();

        Setup(_root.Path, new Dictionary<string, string?> { ["urls"] = urls }).PostConfigure(null, options);

        Assert.Equal(expected, options.PublicBaseUrl);
    }

    private static SupportHubOptionsSetup Setup(string contentRoot, IReadOnlyDictionary<string, string?>? settings = null) =>
        new(new HostingEnvironment { ContentRootPath = contentRoot },
            new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());
}
