using Azure.Core;
using Azure.Core.Pipeline;
using NodaTime;

namespace SupportHub.Azure;

/// <summary>Pipeline options of every adapter in this project: Azure.Core's retries, logging and
/// transport, plus the clock that request signatures (SharedKeyLite, SAS, ACS HMAC) are dated with.</summary>
public sealed class AzureAdapterOptions : ClientOptions
{
    /// <summary>Dates signed requests; a fixed clock in tests makes signatures reproducible.</summary>
    public IClock Clock { get; set; } = SystemClock.Instance;

    internal HttpPipeline BuildPipeline(params HttpPipelinePolicy[] perRetryPolicies) =>
        HttpPipelineBuilder.Build(this, [], perRetryPolicies, new ResponseClassifier());
}
