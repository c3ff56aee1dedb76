using Microsoft.Extensions.Hosting.Internal;
using SupportHub.Functions.Hosting;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Hosting;

public sealed class SupportHubOptionsSetupTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void PostConfigure_RelativePaths_AreResolvedAgainstTheContentRoot()
    {
        var options = new SupportHubOptions { DataPath = "./.supporthub", Policy = "config/policy.json" };

        Setup(_root.Path).PostConfigure(null, options);

        Assert.Equal(Path.Combine(_root.Path, ".supporthub"), options.DataPath);
        Assert.Equal(Path.Combine(_root.Path, "config", "policy.json"), options.Policy);
    }

    [Fact]
    public void PostConfigure_NoPolicy_FindsTheRepositorySampleAboveTheContentRoot()
    {
        // `dotnet run --project src/SupportHub.Functions`: the content root is two levels below samples/.
        var sample = Path.Combine(_root.Path, "samples", "policy.json");
        Directory.CreateDirectory(Path.GetDirectoryName(sample)!);
        File.WriteAllText(sample, "{}");
        var contentRoot = Directory.CreateDirectory(Path.Combine(_root.Path, "src", "SupportHub.Functions")).FullName;
        var options = new SupportHubOptions();

        Setup(contentRoot).PostConfigure(null, options);

        Assert.Equal(sample, options.Policy);
    }

    private static SupportHubOptionsSetup Setup(string contentRoot) =>
        new(new HostingEnvironment { ContentRootPath = contentRoot });
}
