using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SupportHub.Functions.Hosting;
using SupportHub.Functions.Links;
using SupportHub.Functions.Notifications;
using SupportHub.Workflows;
using SupportHub.Functions.Tickets;
using SupportHub.Policy;
using SupportHub.Tickets;
using SupportHub.Functions.Intake;

namespace SupportHub.Functions.Workflows;

/// <summary>The ticket workflow, its queue functions, the notification channel, signed links and the agent routes.</summary>
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
        services.AddSingleton<DevOutbox>();
        services.AddSingleton<INotificationChannel>(sp => sp.GetRequiredService<DevOutbox>());

        services.AddScoped<TicketRoutes.Agent>();
        services.AddSingleton<AgentApiKey>();

        services.AddQueueHandler<WorkflowEvents>(QueueNames.WorkflowEvents);
        services.AddQueueHandler<NotificationsOutbound>(QueueNames.NotificationsOutbound);
        return services;
    }

    /// <param name="embedded">True when no Functions host fronts the hub: only then is the dev outbox shown.</param>
    public static IEndpointRouteBuilder MapTicketWorkflows(this IEndpointRouteBuilder endpoints, bool embedded)
    {
        endpoints.MapTicketRoutes();
        endpoints.MapSignedLinks();
        endpoints.MapDevOutbox(embedded);
        return endpoints;
    }
}
