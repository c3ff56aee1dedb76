using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using SupportHub.Functions.Hosting;

namespace SupportHub.Functions.Tests.Hosting;

// Issue 22, "One runtime, chosen once": the composition root registers the embedded runtime or the
// Azure runtime, never both and never one patched into the other. Checked on the registrations
// themselves (AddSupportHub on a fresh builder, nothing started), so a service that is registered but
// happens not to be resolved in a test still counts.
public sealed class HubRuntimeTests
{
    // Azurite's public development key; the other values are made up and never contacted here.
    internal static readonly Dictionary<string, string?> AllAzure = new()
    {
        ["SupportHub:Tables:Endpoint"] = "http://127.0.0.1:10002/devstoreaccount1",
        ["SupportHub:Tables:AccountName"] = "devstoreaccount1",
        ["SupportHub:Tables:AccountKey"] = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
        ["SupportHub:ServiceBus:FullyQualifiedNamespace"] = "contoso.servicebus.windows.net",
        ["SupportHub:SendGrid:ApiKey"] = "SG.not-a-real-key",
        ["SupportHub:SendGrid:FromEmail"] = "support@example.com",
        ["SupportHub:Acs:Endpoint"] = "https://contoso.communication.azure.com",
        ["SupportHub:Acs:AccessKey"] = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==",
        ["SupportHub:Acs:From"] = "+18005550000",
        ["SupportHub:Graph:TenantId"] = "00000000-0000-4000-8000-000000000001",
        ["SupportHub:Graph:ClientId"] = "00000000-0000-4000-8000-000000000002",
        ["SupportHub:Graph:ClientSecret"] = "not-a-real-secret",
    };

    [Fact]
    public void AddSupportHub_AzureSettings_RegistersNoEmbeddedService()
    {
        var registrations = Registrations(AllAzure);

        var embedded = registrations.Where(d => TypesOf(d).Any(IsEmbedded)).Select(Describe).ToList();
        Assert.True(embedded.Count == 0, "embedded services registered with Azure settings:\n" + string.Join('\n', embedded));
        // The Azure runtime is really there (a registration that failed silently would pass the above).
        Assert.Contains(registrations, d => d.ServiceType.Name == "IEntityStore");
        Assert.Contains(registrations, d => d.ServiceType.Name == "IMessageSender");
    }

    [Fact]
    public void AddSupportHub_NoAzureSettings_RegistersNoAzureAdapter()
    {
        var registrations = Registrations(new Dictionary<string, string?>());

        var azure = registrations.Where(d => TypesOf(d).Any(IsAzure)).Select(Describe).ToList();
        Assert.True(azure.Count == 0, "Azure services registered without Azure settings:\n" + string.Join('\n', azure));
        Assert.Contains(registrations, d => TypesOf(d).Any(IsEmbedded));
    }

    /// <summary>What <c>AddSupportHub</c> registers for these settings; the host is neither built nor started.</summary>
    internal static IReadOnlyList<ServiceDescriptor> Registrations(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddSupportHub();
        return [.. builder.Services];
    }

    // The embedded runtime, wherever the lead's move puts it: its namespaces (old and new), anything
    // SQLite, the dev outbox and the queue pump by name.
    private static bool IsEmbedded(Type type) =>
        type.Namespace is "SupportHub.Functions.Embedded" or "SupportHub.Embedded"
        || type.Namespace?.StartsWith("SupportHub.Functions.Embedded.", StringComparison.Ordinal) == true
        || type.Namespace?.StartsWith("SupportHub.Embedded.", StringComparison.Ordinal) == true
        || type.Assembly.GetName().Name is "SupportHub.Embedded" or "Microsoft.Data.Sqlite"
        || type.Name.Contains("Sqlite", StringComparison.OrdinalIgnoreCase)
        || type.Name is "DevOutbox" or "QueuePump";

    // The Azure adapters and what only they need: the adapters' project, Azure.Core and Azure.Identity
    // (credentials, pipeline options), the Graph SDK, and the hub's own Azure-only types.
    private static bool IsAzure(Type type) =>
        type.Assembly.GetName().Name is "SupportHub.Azure" or "Azure.Core" or "Azure.Identity"
        || type.Assembly.GetName().Name?.StartsWith("Microsoft.Graph", StringComparison.Ordinal) == true
        || type.Name is "AzureSettings" or "AzureSettingsValidator" or "ChannelRouter" or "ServiceBusHealthCheck";

    /// <summary>Every type a registration names: its service, its implementation (type, instance or
    /// factory's return type), the type that declares its factory, and their generic arguments.</summary>
    private static IEnumerable<Type> TypesOf(ServiceDescriptor descriptor)
    {
        var named = new List<Type?> { descriptor.ServiceType };
        if (descriptor.IsKeyedService)
        {
            named.Add(descriptor.KeyedImplementationType);
            named.Add(descriptor.KeyedImplementationInstance?.GetType());
            named.Add(descriptor.KeyedImplementationFactory?.Method.ReturnType);
            named.Add(descriptor.KeyedImplementationFactory?.Method.DeclaringType);
        }
        else
        {
            named.Add(descriptor.ImplementationType);
            named.Add(descriptor.ImplementationInstance?.GetType());
            named.Add(descriptor.ImplementationFactory?.Method.ReturnType);
            named.Add(descriptor.ImplementationFactory?.Method.DeclaringType);
        }

        return named.OfType<Type>().SelectMany(WithArguments);
    }

    private static IEnumerable<Type> WithArguments(Type type) =>
        type.IsGenericType
            ? [type, .. type.GetGenericArguments().SelectMany(WithArguments)]
            : type.HasElementType ? [type, .. WithArguments(type.GetElementType()!)] : [type];

    private static string Describe(ServiceDescriptor descriptor) =>
        $"{descriptor.ServiceType.FullName}: {string.Join(", ", TypesOf(descriptor).Skip(1).Select(t => t.FullName).Distinct())}";
}
