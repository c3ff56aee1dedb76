using SupportHub.Storage;

namespace SupportHub.Core.Tests.Storage;

public sealed class RowKeyRangeTests
{
    [Theory]
    // The ordinary case: the last character is incremented.
    [InlineData("outbox-", "outbox-", "outbox.")]
    // Upper bound past 'z' is '{': keys are compared ordinally, not alphabetically.
    [InlineData("z", "z", "{")]
    // A trailing U+FFFF cannot be incremented: the bound moves to the character before it.
    [InlineData("a\uffff", "a\uffff", "b")]
    public void Prefix_Key_CoversExactlyTheKeysStartingWithIt(string prefix, string from, string before)
    {
        var range = RowKeyRange.Prefix(prefix);

        Assert.Equal(new RowKeyRange(from, before), range);
    }

    [Fact]
    public void Prefix_OnlyMaximalCharacters_HasNoUpperBound()
    {
        Assert.Equal(new RowKeyRange("\uffff", null), RowKeyRange.Prefix("\uffff"));
    }

    [Fact]
    public void Prefix_Empty_IsEverything()
    {
        Assert.Same(RowKeyRange.All, RowKeyRange.Prefix(""));
    }
}
