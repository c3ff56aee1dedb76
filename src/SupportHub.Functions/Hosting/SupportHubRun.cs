using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;

namespace SupportHub.Functions.Hosting;

// How the hub's process ends, for the person or the supervisor (systemd, a container runtime) that
// started it:
//   0   it was asked to stop (Ctrl+C, SIGTERM) and stopped.
//   1   it refused to start: an option, the policy, secrets.json or the data folder is wrong. stderr
//       says what and what to do ("SupportHub cannot start: ..."), with no stack trace; starting it
//       again unchanged will not help.
//   70  it ran, and a fatal error stopped it: a background service failed (the queue pump when its
//       database fails). The log has the exception; stderr says which service and why. A
//       supervisor restarts it.
// The .NET 10 host stops when a background service fails (BackgroundServiceExceptionBehavior.StopHost)
// but RunAsync then returns as after a requested stop (.NET 11 throws instead), so the hub looks at
// its background services' tasks itself rather than trusting RunAsync's return.
// Start-up problems are looked for before the host starts (Prepare): inside StartAsync the host
// logs any exception with its stack trace before it reaches here.

/// <summary>Runs the hub and turns how it ended into the process's exit code.</summary>
public static partial class SupportHubRun
{
    public const int Stopped = 0;

    public const int CannotStart = 1;

    /// <summary>EX_SOFTWARE of sysexits.h.</summary>
    public const int Failed = 70;

    public static async Task<int> RunSupportHubAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // WebApplicationFactory runs Main on its TestServer and learns that start-up failed only from an
        // exception out of Main: there the exception must propagate (after the same report).
        var underTestServer = app.Services.GetService<IServer>()?.GetType().Name == "TestServer";
        IReadOnlyList<IHostedService> hosted;
        try
        {
            hosted = Prepare(app);
            await app.RunAsync();
        }
        catch (Exception exception) when (StartProblems(exception) is { Count: > 0 } problems)
        {
            if (problems.Count == 1)
            {
                await Console.Error.WriteLineAsync($"SupportHub cannot start: {problems[0]}");
            }
            else
            {
                await Console.Error.WriteLineAsync("SupportHub cannot start:");
                foreach (var problem in problems)
                {
                    await Console.Error.WriteLineAsync($"  {problem}");
                }
            }

            if (underTestServer)
            {
                throw;
            }

            return CannotStart;
        }

        var failed = hosted.OfType<BackgroundService>().Where(s => s.ExecuteTask is { IsFaulted: true }).ToList();
        foreach (var service in failed)
        {
            foreach (var error in service.ExecuteTask!.Exception!.InnerExceptions)
            {
                await Console.Error.WriteLineAsync($"SupportHub stopped: {service.GetType().Name} failed: {error.GetType().Name}: {error.Message}");
            }
        }

        return failed.Count > 0 ? Failed : Stopped;
    }

    // What start-up would otherwise meet inside the host: every option validated on start, the data
    // folder's mode, and the hosted services built with all they depend on (the secrets, the policy,
    // the database). Returns the hosted services, to be looked at once the host has stopped (and its
    // service provider is gone).
    private static List<IHostedService> Prepare(WebApplication app)
    {
        app.Services.GetService<IStartupValidator>()?.Validate();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DataFolder));
        var dataPath = app.Services.GetRequiredService<IOptions<SupportHubOptions>>().Value.DataPath;
        if (Directory.Exists(dataPath))
        {
            if (DataFolder.Restrict(dataPath) is { } folderWas)
            {
                LogRestricted(logger, dataPath, DataFolder.Octal(folderWas), DataFolder.Octal(DataFolder.FolderMode));
            }

            var secrets = Path.Combine(dataPath, HubSecrets.FileName);
            if (File.Exists(secrets) && DataFolder.RestrictFile(secrets) is { } fileWas)
            {
                LogRestricted(logger, secrets, DataFolder.Octal(fileWas), DataFolder.Octal(DataFolder.FileMode));
            }
        }

        return app.Services.GetServices<IHostedService>().ToList();
    }

    // The problems of a start that the operator must fix, each as one message; empty for anything
    // else (a bug keeps its stack trace).
    private static List<string> StartProblems(Exception exception) => exception switch
    {
        OptionsValidationException invalid => invalid.Failures.ToList(),
        CannotStartException refused => [refused.Message],
        // The embedded runtime's data folder is another hub's, or its database cannot be trusted.
        Embedded.DataFolderInUseException or Embedded.DamagedDatabaseException => [exception.Message],
        AggregateException all when all.InnerExceptions.Count > 0 && all.InnerExceptions.All(e => StartProblems(e).Count > 0) =>
            all.InnerExceptions.SelectMany(StartProblems).ToList(),
        _ => [],
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} was open to others (mode {Before}); it is now {After}, its owner's only")]
    private static partial void LogRestricted(ILogger logger, string path, string before, string after);
}
