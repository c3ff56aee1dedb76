using Microsoft.Playwright;

namespace SupportHub.Board.Tests;

/// <summary>
/// Debian's Chromium, launched by Playwright with a fresh profile and nothing that reaches the
/// network by itself. The machine has no internet: Playwright's own browser download is never used.
/// </summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static bool Installed => File.Exists(ExecutablePath);

    /// <summary>In CI a missing browser is a failure (.ci/install puts it there), never a skip.</summary>
    public static bool Required => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static async Task<IBrowserContext> LaunchAsync(IPlaywright playwright, string profile)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        Assert.True(Installed, $"{ExecutablePath} is missing: .ci/install installs Debian's chromium package (apt-get install -y chromium).");
        // Playwright refuses --user-data-dir among the arguments: a persistent context is how it takes one.
        return await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
            TimezoneId = "America/Chicago",
            Locale = "en-US",
        });
    }
}

/// <summary>A test that needs Chromium: skipped with the reason on a machine without it, except in CI.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!Chromium.Installed && !Chromium.Required)
        {
            Skip = $"{Chromium.ExecutablePath} is not installed (apt-get install -y chromium); with CI=true this test fails instead.";
        }
    }
}
