using System.Diagnostics;
using Azure;
using SupportHub.Azure.Tables;
using SupportHub.Testing;

namespace SupportHub.Azure.Tests.Tables;

// Azurite's Table service, started once for every test in the "Azurite" collection on a free
// loopback port, in memory, with a throwaway workspace folder and telemetry off. The binary comes
// from AZURITE_TABLE, else from .ci/node (where .ci/install puts it: `npm install --prefix .ci/node
// azurite`) above the test output, else from PATH. There is no fallback: without Azurite these
// tests fail, in CI and locally alike, rather than skip and let the Tables adapter go untested.

/// <summary>A running <c>azurite-table</c>, shared by the tests of <see cref="AzuriteCollection"/>.</summary>
public sealed class Azurite : IAsyncLifetime
{
    /// <summary>Azurite's well-known development account (public, documented; not a secret).</summary>
    public const string Account = "devstoreaccount1";

    public const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly TemporaryDirectory _workspace = new();
    private Process? _process;

    public Uri Endpoint { get; private set; } = null!;

    public TableEntityStore CreateStore() => new(Endpoint, new AzureNamedKeyCredential(Account, Key));

    public async Task InitializeAsync()
    {
        var executable = Locate() ?? throw new InvalidOperationException(
            "Azurite's azurite-table was not found (AZURITE_TABLE, .ci/node/node_modules/.bin above the test output, PATH). "
            + "Install it with `bash .ci/install` (npm install --no-save --prefix .ci/node azurite).");

        // The port is free when asked; another process could take it before Azurite binds, so try again.
        var failures = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = Loopback.FreePort();
            var (process, output) = Start(executable, port);
            if (await StartedAsync(process, output, TimeSpan.FromSeconds(60)))
            {
                _process = process;
                Endpoint = new Uri($"http://127.0.0.1:{port}/{Account}");
                return;
            }

            Stop(process);
            failures.Add($"port {port}: {output}");
        }

        throw new InvalidOperationException($"Azurite ({executable}) did not start:\n{string.Join('\n', failures)}");
    }

    public Task DisposeAsync()
    {
        if (_process is not null)
        {
            Stop(_process);
        }

        _workspace.Dispose();
        return Task.CompletedTask;
    }

    private static string? Locate()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_TABLE") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, ".ci", "node", "node_modules", ".bin", "azurite-table");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Path.Combine(p, "azurite-table"))
            .FirstOrDefault(File.Exists);
    }

    private (Process Process, StartOutput Output) Start(string executable, int port)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--tableHost", "127.0.0.1", "--tablePort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--location", _workspace.Path, "--skipApiVersionCheck", "--disableTelemetry", "--silent",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StartOutput();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    private static async Task<bool> StartedAsync(Process process, StartOutput output, TimeSpan timeout)
    {
        try
        {
            await Task.WhenAny(output.Started, process.WaitForExitAsync()).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            return false;
        }

        return output.Started.IsCompletedSuccessfully;
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    private sealed class StartOutput
    {
        private readonly Lock _gate = new();
        private readonly List<string> _lines = [];
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_gate)
            {
                _lines.Add(line);
            }

            if (line.Contains("successfully started", StringComparison.OrdinalIgnoreCase))
            {
                _started.TrySetResult();
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return string.Join('\n', _lines);
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<Azurite>
{
    public const string Name = "Azurite";
}
