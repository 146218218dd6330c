using MimScale.Models.Config;

namespace MimScale.Tests.Models.Config;

/// <summary>The one conversion of untyped config values: each kind accepted, each wrong kind worded the same way.</summary>
public class ConfigValuesTests
{
    [Fact]
    public void ConvertsScalarsListsAndNulls()
    {
        Assert.Equal(-12, ConfigValues.Convert("-12", typeof(int), "k"));
        Assert.Equal(1_000_000L, ConfigValues.Convert("1_000_000", typeof(long), "k"));
        Assert.Equal(18446744073709551615UL, ConfigValues.Convert("18446744073709551615", typeof(ulong), "k"));
        Assert.Equal(1e-4, ConfigValues.Convert("1e-4", typeof(double), "k"));
        Assert.Equal(true, ConfigValues.Convert("Yes", typeof(bool), "k"));
        Assert.Equal(false, ConfigValues.Convert("false", typeof(bool), "k"));
        Assert.Equal("folder:/x@train", ConfigValues.Convert("folder:/x@train", typeof(string), "k"));
        Assert.Equal(new[] { 4, 4, 2 }, ConfigValues.Convert(new List<object> { "4", "4", "2" }, typeof(int[]), "k"));
        Assert.Null(ConfigValues.Convert(null, typeof(int?), "k"));
        Assert.Null(ConfigValues.Convert(null, typeof(string), "k"));
        Assert.Equal(7, ConfigValues.Convert("7", typeof(int?), "k"));
    }

    [Theory]
    [InlineData("ten", typeof(int), "f.yaml: k: expected an integer, got 'ten'")]
    [InlineData("3000000000", typeof(int), "f.yaml: k: expected an integer, got '3000000000'")]
    [InlineData("0.5", typeof(long), "f.yaml: k: expected an integer, got '0.5'")]
    [InlineData("-1", typeof(ulong), "f.yaml: k: expected a whole number >= 0, got '-1'")]
    [InlineData("1,5", typeof(double), "f.yaml: k: expected a number, got '1,5'")]
    [InlineData("2", typeof(bool), "f.yaml: k: expected true or false, got '2'")]
    [InlineData("4", typeof(int[]), "f.yaml: k: expected a list of integers, got '4'")]
    [InlineData(null, typeof(double), "f.yaml: k: expected a number, got nothing (null)")]
    public void AWrongScalarIsNamedWithWhatWasExpected(string? raw, Type type, string message) =>
        Assert.Equal(message, Assert.Throws<InvalidDataException>(() => ConfigValues.Convert(raw, type, "f.yaml: k")).Message);

    [Fact]
    public void AWrongShapeIsNamedWithoutATypeDump()
    {
        Assert.Equal("f.yaml: k: expected a number, got a sequence",
            Assert.Throws<InvalidDataException>(() => ConfigValues.Convert(new List<object> { "1", "2" }, typeof(double), "f.yaml: k")).Message);
        Assert.Equal("f.yaml: k: expected an integer, got a mapping",
            Assert.Throws<InvalidDataException>(() => ConfigValues.Convert(new Dictionary<object, object> { ["a"] = "1" }, typeof(int), "f.yaml: k")).Message);
        Assert.Equal("f.yaml: k[2]: expected a number, got a sequence",
            Assert.Throws<InvalidDataException>(() => ConfigValues.Convert(new List<object> { "1", "2", new List<object>() }, typeof(double[]), "f.yaml: k")).Message);
    }
}
