using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SupportHub.Functions.Hosting;
using SupportHub.Functions.Links;
using SupportHub.Functions.Notifications;
using SupportHub.Storage;
using SupportHub.Workflows;
using SupportHub.Functions.Tickets;
using SupportHub.Policy;
using SupportHub.Tickets;
using SupportHub.Functions.Intake;

namespace SupportHub.Functions.Workflows;

/// <summary>The ticket workflow, its queue functions, signed links and the agent routes. The notification
/// channel the notifications handler sends through is the runtime's (dev outbox or the Azure senders).</summary>
public static class WorkflowServices
{
    public static IServiceCollection AddTicketWorkflows(this IServiceCollection services)
    {
        // One runner for the process: it holds no per-message state, and the policy is loaded once at start.
        services.AddSingleton(sp => new TicketContext(sp.GetRequiredService<SupportPolicy>()));
        services.AddSingleton(sp => new TicketWorkflowRunner(
            sp.GetRequiredService<IEntityStore>(), sp.GetRequiredService<IMessageSender>(), sp.GetRequiredService<TicketContext>()));
        services.AddSingleton(sp => new TicketList(sp.GetRequiredService<IEntityStore>()));
        services.TryAddTicketIntake();

        services.AddSingleton(sp => new LinkSigner(
            sp.GetRequiredService<HubSecrets>().LinkSigningKey,
            sp.GetRequiredService<IOptions<SupportHubOptions>>().Value.PublicBaseUrl!));

        services.AddScoped<TicketRoutes.Agent>();
        services.AddSingleton<AgentApiKey>();

        services.AddQueueHandler<WorkflowEvents>(QueueNames.WorkflowEvents);
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new SupportHub.Notifications.AutoReplyLimit(sp.GetRequiredService<IEntityStore>(), sp.GetRequiredService<SupportPolicy>(),
            sp.GetRequiredService<IOptions<NotificationOptions>>().Value.AutoRepliesPerAddressPerHour));
        services.AddQueueHandler<NotificationsOutbound>(QueueNames.NotificationsOutbound);
        return services;
    }

    public static IEndpointRouteBuilder MapTicketWorkflows(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapTicketRoutes();
        endpoints.MapSignedLinks();
        return endpoints;
    }
}
