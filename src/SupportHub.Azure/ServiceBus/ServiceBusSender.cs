using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using SupportHub.Storage;

namespace SupportHub.Azure.ServiceBus;

// IMessageSender over the Service Bus REST API (learn.microsoft.com/rest/api/servicebus, "Send
// Message" and "Send Message Batch"):
//   POST https://{namespace}/{queue}/messages  → 201
//   one message:  body as is, Content-Type application/json, BrokerProperties header (JSON) with
//                 MessageId and, for a timer, ScheduledEnqueueTimeUtc in RFC 1123
//   a batch:      Content-Type application/vnd.microsoft.servicebus.json, body
//                 [{"Body": "...", "BrokerProperties": {...}}, ...]: accepted or refused whole
// MessageId is the queue's duplicate-detection key (requiresDuplicateDetection in infra/), so a
// resend of the same outbox row is dropped by Service Bus. Anything but 201 throws
// RequestFailedException (401/403 auth, 404/410 no such queue, 413 too large), so the caller's
// message is retried by its own queue.
//
// The sender cannot receive, and sending is the only proof that it may send. What it can do without
// sending anything is the management read the SDK's ServiceBusAdministrationClient makes for
// GetNamespacePropertiesAsync: GET https://{namespace}/$namespaceinfo → 200 with an Atom entry. That
// read needs Manage claims (the SDK documents an authorization failure without them), which the hub's
// identity (Data Sender and Data Receiver, infra/modules/roles.bicep) does not have, so in Azure the
// expected answer is 401. Any such answer still shows that the name resolves, TLS and the namespace's
// front end answer and (Entra ID) that a token was issued; the health check reads it that way. The
// api-version 2021-05 is UNCONFIRMED (believed to be the administration client's, not checked
// against its source or a live namespace); a refusal of it would be a 400, which the health check
// reads the same way.

/// <summary>Sends to the hub's Service Bus queues.</summary>
public sealed class ServiceBusSender : IMessageSender
{
    /// <summary>Entra ID scope of Service Bus.</summary>
    public const string Scope = "https://servicebus.azure.net/.default";

    public const string BatchContentType = "application/vnd.microsoft.servicebus.json";

    /// <summary>The management API version of the namespace read (UNCONFIRMED: see above).</summary>
    public const string ManagementApiVersion = "2021-05";

    private readonly string _namespaceUri;
    private readonly HttpPipeline _pipeline;

    /// <summary>Entra ID (the function app's managed identity: Azure Service Bus Data Sender).</summary>
    /// <param name="fullyQualifiedNamespace"><c>{name}.servicebus.windows.net</c>.</param>
    public ServiceBusSender(string fullyQualifiedNamespace, TokenCredential credential, AzureAdapterOptions? options = null)
        : this(fullyQualifiedNamespace, (options ?? new AzureAdapterOptions()).BuildPipeline(new BearerTokenAuthenticationPolicy(credential, Scope)))
    {
        ArgumentNullException.ThrowIfNull(credential);
    }

    /// <summary>A shared access key (name and key) for tools, where the namespace allows local authentication.</summary>
    public ServiceBusSender(string fullyQualifiedNamespace, AzureNamedKeyCredential sharedAccessKey, AzureAdapterOptions? options = null)
        : this(fullyQualifiedNamespace, SasPipeline(fullyQualifiedNamespace, sharedAccessKey, options ?? new AzureAdapterOptions()))
    {
    }

    private ServiceBusSender(string fullyQualifiedNamespace, HttpPipeline pipeline)
    {
        _namespaceUri = NamespaceUri(fullyQualifiedNamespace);
        _pipeline = pipeline;
    }

    /// <summary>The namespace's host name, <c>{name}.servicebus.windows.net</c>.</summary>
    public string FullyQualifiedNamespace => new Uri(_namespaceUri).Host;

    public async Task SendAsync(string queue, OutgoingMessage message, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        MessageQueueRules.ValidateMessage(message);

        using var http = Message(queue, "application/json", RequestContent.Create(BinaryData.FromString(message.Body)));
        http.Request.Headers.SetValue("BrokerProperties", JsonSerializer.Serialize(BrokerProperties(message)));
        await SendAsync(http, cancellationToken).ConfigureAwait(false);
    }

    public async Task SendBatchAsync(string queue, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        MessageQueueRules.ValidateQueue(queue);
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            MessageQueueRules.ValidateMessage(message);
        }

        if (messages.Count == 0)
        {
            return;
        }

        var batch = messages.Select(m => new Dictionary<string, object>
        {
            ["Body"] = m.Body,
            ["BrokerProperties"] = BrokerProperties(m),
        });
        using var http = Message(queue, BatchContentType, RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(batch)));
        await SendAsync(http, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The namespace's own description (GET <c>$namespaceinfo</c>), as the Atom entry's XML: a
    /// call that sends nothing. Throws <see cref="RequestFailedException"/> for any answer but 200, as
    /// 401 without Manage rights.</summary>
    public async Task<string> GetNamespacePropertiesAsync(CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri(_namespaceUri + "$namespaceinfo?api-version=" + ManagementApiVersion));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message.Response.Status == 200 ? message.Response.Content.ToString() : throw new RequestFailedException(message.Response);
    }

    internal static string NamespaceUri(string fullyQualifiedNamespace)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fullyQualifiedNamespace);
        var host = fullyQualifiedNamespace.Trim();
        if (host.Contains("://", StringComparison.Ordinal))
        {
            host = new Uri(host).Host;
        }

        if (Uri.CheckHostName(host.TrimEnd('/')) == UriHostNameType.Unknown)
        {
            throw new ArgumentException($"'{fullyQualifiedNamespace}' is not a namespace host name like name.servicebus.windows.net.", nameof(fullyQualifiedNamespace));
        }

        return $"https://{host.TrimEnd('/')}/";
    }

    private static Dictionary<string, string> BrokerProperties(OutgoingMessage message)
    {
        var properties = new Dictionary<string, string> { ["MessageId"] = message.MessageId };
        if (message.ScheduledFor is { } at)
        {
            properties["ScheduledEnqueueTimeUtc"] = at.ToDateTimeOffset().ToString("R", CultureInfo.InvariantCulture);
        }

        return properties;
    }

    private static HttpPipeline SasPipeline(string fullyQualifiedNamespace, AzureNamedKeyCredential key, AzureAdapterOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        return options.BuildPipeline(new ServiceBusSasPolicy(NamespaceUri(fullyQualifiedNamespace), key, options.Clock));
    }

    private HttpMessage Message(string queue, string contentType, RequestContent content)
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(new Uri(_namespaceUri + Uri.EscapeDataString(queue) + "/messages"));
        message.Request.Headers.SetValue(HttpHeader.Names.ContentType, contentType);
        message.Request.Content = content;
        return message;
    }

    private async Task SendAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status != 201)
        {
            throw new RequestFailedException(message.Response);
        }
    }
}
