using System.Security.Cryptography;
using System.Text;
using SupportHub.Functions.Hosting;

namespace SupportHub.Functions.Tickets;

// Agent routes (CONTRACT.md) take the API key in `x-functions-key`, the header the Functions host
// uses for function keys. Both sides are hashed before the constant-time comparison, so neither
// the key's content nor its length shows in the time an answer takes.

/// <summary>Endpoint filter: 401 problem+json unless <c>x-functions-key</c> is the hub's API key.</summary>
public sealed class AgentApiKey(HubSecrets secrets) : IEndpointFilter
{
    public const string Header = "x-functions-key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var presented = context.HttpContext.Request.Headers[Header].ToString();
        if (!Matches(presented, secrets.ApiKey))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: $"Send the hub's API key in the {Header} header.");
        }

        return await next(context);
    }

    public static bool Matches(string presented, string expected) =>
        presented.Length > 0
        && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
