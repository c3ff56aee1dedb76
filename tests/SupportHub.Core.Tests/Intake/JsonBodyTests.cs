using System.Text;
using SupportHub.Intake;

namespace SupportHub.Core.Tests.Intake;

public sealed class JsonBodyTests
{
    [Theory]
    // Escapes that spell text: a surrogate pair, a BMP character, an escaped backslash before a 'u'.
    [InlineData("""{"text":"\ud83d\ude00 \u00e9"}""")]
    [InlineData("""{"text":"C:\\users\\ud800"}""")]
    [InlineData("""["\u0041",{"a":["\uDBFF\uDFFF"]}]""")]
    public void Parse_EscapesThatSpellText_Succeeds(string json)
    {
        var parsed = JsonBody.Parse(Encoding.UTF8.GetBytes(json));

        Assert.True(parsed.Ok, string.Join("; ", parsed.Problems));
        parsed.Value!.Dispose();
    }

    [Theory]
    // The field named is the path of the string, as the intake parsers name fields; a property name
    // names the object that holds it, and the whole body when that is the root.
    [InlineData("""{"text":"\ud800"}""", null, "text")]
    [InlineData("""{"from":{"name":"a\udc00"}}""", null, "from.name")]
    [InlineData("""[{"data":{"x":1,"message":"\ud800\ud800"}}]""", null, "[0].data.message")]
    [InlineData("""{"a":[1,"ok",{"b":["x","\udfff"]}]}""", null, "a[2].b[1]")]
    [InlineData("""{"\ud83d":1}""", null, "body")]
    [InlineData("""{"from":{"\ud83d":1}}""", null, "from")]
    [InlineData("""{"text":"utf-8\ud800"}""", "charsets", "charsets.text")]
    [InlineData("""["\ud800"]""", "attachment-info", "attachment-info[0]")]
    [InlineData("\"\\ud800\"", null, "body")]
    public void Parse_UnpairedSurrogate_IsMalformedNamingItsPath(string json, string? name, string field)
    {
        var parsed = JsonBody.Parse(Encoding.UTF8.GetBytes(json), name);

        var problem = Assert.Single(parsed.Problems);
        Assert.Equal((IntakeProblemKind.Malformed, field), (problem.Kind, problem.Field));
        Assert.Contains("unpaired surrogate", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void FirstUnpairedSurrogate_WithTheReaderOptionsOfAPolicyFile_SkipsCommentsAndFindsTheString()
    {
        var options = new System.Text.Json.JsonReaderOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true };

        var found = JsonBody.FirstUnpairedSurrogate("""{ /* \ud800 */ "people": { "bob": { "name": "B\udc00b" }, }, }"""u8, options);

        Assert.Equal(("people.bob.name", false), found);
    }

    [Fact]
    public void Parse_NotUtf8OrNotJson_IsMalformedNamingTheWhole()
    {
        Assert.Equal("charsets", Assert.Single(JsonBody.Parse([0x7B, 0xED, 0xA0, 0x80, 0x7D], "charsets").Problems).Field);
        Assert.Equal("body", Assert.Single(JsonBody.Parse("{\"a\":"u8).Problems).Field);
    }
}
