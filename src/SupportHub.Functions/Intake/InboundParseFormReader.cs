using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using SupportHub.Channels.Email;
using SupportHub.Intake;

namespace SupportHub.Functions.Intake;

/// <summary>
/// Reads SendGrid's multipart/form-data body with ASP.NET Core's <see cref="MultipartReader"/>: each
/// field's bytes as they came (Inbound Parse names each field's charset in its <c>charsets</c> field,
/// so decoding is the channel's, not the form reader's), each file measured rather than kept. The
/// body was already read within the size limit (<see cref="IntakeHttp.ReadBodyAsync"/>).
/// </summary>
internal static class InboundParseFormReader
{
    public static async Task<IntakeParse<InboundParseForm>> ReadAsync(string? contentType, byte[] body, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
        {
            return IntakeParse<InboundParseForm>.Failure(IntakeProblem.Malformed("content-type", "multipart/form-data with a boundary is required."));
        }
        var fields = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        var files = new List<InboundParseFile>();
        var reader = new MultipartReader(boundary, new MemoryStream(body, writable: false));
        var sections = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                sections++;
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
                {
                    return IntakeParse<InboundParseForm>.Failure(IntakeProblem.Malformed("body", "A form-data part has no name."));
                }
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value is { Length: > 0 } star
                    ? star
                    : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                if (fileName is not null)
                {
                    var fileType = section.ContentType is { Length: > 0 } declared ? declared.Split(';', 2)[0].Trim().ToLowerInvariant() : "application/octet-stream";
                    if (InboundParseFormParts.KeepsContent(fileType))
                    {
                        var content = await ReadAllAsync(section.Body, cancellationToken);
                        files.Add(new InboundParseFile(name, fileName, fileType, content.Length, content));
                    }
                    else
                    {
                        files.Add(new InboundParseFile(name, fileName, fileType, await MeasureAsync(section.Body, cancellationToken)));
                    }
                }
                else
                {
                    var value = await ReadAllAsync(section.Body, cancellationToken);
                    fields.TryAdd(name, value);
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            // No delimiter for the boundary the Content-Type names, a body cut short, a part's headers
            // beyond the reader's limits: nothing was kept, so nothing is half-read.
            return IntakeParse<InboundParseForm>.Failure(IntakeProblem.Malformed("body", sections == 0
                ? "No form-data part was found for the boundary the Content-Type names."
                : $"The multipart body could not be read: {e.Message}"));
        }
        if (sections == 0)
        {
            return IntakeParse<InboundParseForm>.Failure(IntakeProblem.Malformed("body", "No form-data part was found for the boundary the Content-Type names."));
        }
        return IntakeParse<InboundParseForm>.Success(new InboundParseForm(fields, files));
    }

    private static async Task<byte[]> ReadAllAsync(Stream section, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await section.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static async Task<long> MeasureAsync(Stream section, CancellationToken cancellationToken)
    {
        var chunk = new byte[16384];
        long length = 0;
        int read;
        while ((read = await section.ReadAsync(chunk, cancellationToken)) > 0)
        {
            length += read;
        }
        return length;
    }
}
