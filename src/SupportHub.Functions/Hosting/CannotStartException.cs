namespace SupportHub.Functions.Hosting;

/// <summary>
/// The hub refuses to start: a file or folder it needs is missing, damaged or unusable. The message
/// names it and says what to do; it is all the operator sees (<c>SupportHub cannot start: …</c> on
/// stderr, exit code 1, no stack trace; see <see cref="SupportHubRun"/>). Thrown while the hub is
/// built or started, never once it runs.
/// </summary>
public sealed class CannotStartException(string message, Exception? innerException = null) : Exception(message, innerException);
