using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SupportHub.Functions.Hosting;
using SupportHub.Storage;

namespace SupportHub.FailingQueueProbe;

// Usage: SupportHub.FailingQueueProbe (configured like the hub, through the environment)
// Runs the hub exactly as its Program.cs does, except that once the hub has started every receive
// from the message queue throws IOException("disk I/O error"), as SQLite's does when the disk under
// the database fails: the queue pump's failure must end the process with a non-zero exit code.
// (A named class rather than top-level statements: the tests reference this assembly and the hub's,
// and both would otherwise declare a global Program.)
internal static class Probe
{
    private static async Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddSupportHub();

        // The queue the pump receives from, wrapped: whatever the runtime registered is what fails.
        var registered = builder.Services.Last(d => d.ServiceType == typeof(IMessageQueue));
        builder.Services.Add(ServiceDescriptor.Singleton(sp => FailingQueue.Wrap(
            (IMessageQueue)(registered.ImplementationInstance
                ?? registered.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!)),
            sp.GetRequiredService<IHostApplicationLifetime>())));

        var app = builder.Build();
        app.MapSupportHub();
        return await app.RunSupportHubAsync();
    }
}

/// <summary>Forwards every call to the real queue, except receives once the application has started.</summary>
public class FailingQueue : DispatchProxy
{
    private IMessageQueue _inner = null!;
    private IHostApplicationLifetime _lifetime = null!;

    public static IMessageQueue Wrap(IMessageQueue inner, IHostApplicationLifetime lifetime)
    {
        var proxy = Create<IMessageQueue, FailingQueue>();
        var failing = (FailingQueue)(object)proxy;
        failing._inner = inner;
        failing._lifetime = lifetime;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IMessageQueue.ReceiveAsync) && _lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return Task.FromException<LeasedMessage?>(new IOException("disk I/O error"));
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
