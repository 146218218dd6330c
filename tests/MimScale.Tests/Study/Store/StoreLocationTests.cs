
using MimScale.Study.Execution;
using MimScale.Study.Running;
using MimScale.Study.Store;

namespace MimScale.Tests.Study.Store;

public class StoreLocationTests
{
    private static readonly StudyFolder Folder = StudyFolder.At("/runs/q");

    [Fact]
    public void NothingIsTheFolderFileAPathIsSqliteAnAddressIsPostgres()
    {
        Assert.Equal("/runs/q/study.db", Assert.IsType<SqliteBackend>(StoreLocation.Default.Backend("q", Folder)).Path);
        Assert.Equal(Path.GetFullPath("other.db"), Assert.IsType<SqliteBackend>(new StoreLocation("other.db").Backend("q", Folder)).Path);
        var pg = Assert.IsType<PostgresBackend>(new StoreLocation("postgresql://mim:secret@db.lan:5433/studies").Backend("Fashion-MNIST quick", Folder));
        Assert.Equal("study_fashion_mnist_quick", pg.Schema);
        Assert.Equal("postgresql://mim:***@db.lan:5433/studies (schema study_fashion_mnist_quick)", pg.Describe);   // no password in messages
        var socket = Assert.IsType<PostgresBackend>(new StoreLocation("postgres://mim@localhost/studies?host=/tmp/pg&schema=mine").Backend("q", Folder));
        Assert.Equal("mine", socket.Schema);
    }

    [Theory]
    [InlineData("postgresql://mim@db:5432/", "no database name")]
    [InlineData("postgresql://mim@db:5432/s?sslmode=x", "unknown parameter 'sslmode' (known: host, schema)")]
    [InlineData("postgresql://mim@db:5432/s?schema=a-b", "schema 'a-b' must be letters, digits and underscores")]
    [InlineData("mysql://db/s", "unknown kind of store")]
    public void BadAddressesAreNamed(string address, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new StoreLocation(address).Backend("q", Folder));
        Assert.Contains($"--store {address}: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void AnUnreachableServerIsOneClearError()
    {
        var e = Assert.Throws<StudyExecutionException>(() => new StoreLocation("postgresql://mim@127.0.0.1:1/studies").Open("q", Folder));
        Assert.StartsWith("postgresql://mim@127.0.0.1:1/studies (schema study_q): cannot open the study store: ", e.Message);
    }
}
