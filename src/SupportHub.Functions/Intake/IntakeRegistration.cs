using Microsoft.Extensions.DependencyInjection.Extensions;
using SupportHub.Channels.Sms;
using SupportHub.Functions.Workflows;
using SupportHub.Intake;
using SupportHub.Policy;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Functions.Intake;

/// <summary>Intake's part of the composition root: its options, services, queue handler and routes.</summary>
public static class IntakeRegistration
{
    public static IServiceCollection AddIntake(this IServiceCollection services)
    {
        services.AddOptions<IntakeOptions>().BindConfiguration(IntakeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddTicketIntake();
        // Shared with the workflow-events handler: TryAdd, so whichever registers it first wins and both agree.
        services.TryAddSingleton(sp => new TicketWorkflowRunner(
            sp.GetRequiredService<IEntityStore>(), sp.GetRequiredService<IMessageSender>(), new TicketContext(sp.GetRequiredService<SupportPolicy>())));
        services.TryAddSingleton(sp => new OnCallReplies(
            sp.GetRequiredService<IEntityStore>(), sp.GetRequiredService<TicketWorkflowRunner>(), sp.GetRequiredService<SupportPolicy>()));
        services.AddQueueHandler<TicketsInbound>(QueueNames.TicketsInbound);
        return services;
    }

    /// <summary>Ticket intake, shared by the intake routes and the workflow's handlers: whichever
    /// registers it first serves both. Its recorder is the runtime's (embedded: one SQLite transaction);
    /// without one, one write after another.</summary>
    internal static void TryAddTicketIntake(this IServiceCollection services) =>
        services.TryAddSingleton(sp => new TicketIntake(sp.GetRequiredService<IEntityStore>(), sp.GetRequiredService<SupportPolicy>(),
            sp.GetService<IIntakeRecorder>() ?? new SequentialIntakeRecorder(sp.GetRequiredService<IEntityStore>(), sp.GetRequiredService<IMessageSender>())));

    public static IEndpointRouteBuilder MapIntake(this IEndpointRouteBuilder endpoints)
    {
        // Each name is the route's function in Azure (FunctionCatalog).
        endpoints.MapPost("/api/intake/email", IntakeEmail.HandleAsync).WithName("IntakeEmail");
        endpoints.MapPost("/api/intake/chat", IntakeChat.HandleAsync).WithName("IntakeChat");
        endpoints.MapPost("/api/intake/phone", IntakePhone.HandleAsync).WithName("IntakePhone");
        // POST: the events; OPTIONS: the CloudEvents handshake. One function, so one name and one route.
        endpoints.MapMethods("/api/events/sms", [HttpMethods.Post, HttpMethods.Options], SmsEvents.HandleAsync).WithName("EventsSms");
        return endpoints;
    }
}
