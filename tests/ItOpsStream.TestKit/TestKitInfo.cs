namespace ItOpsStream.TestKit;

/// <summary>Marker for the shared test kit assembly.</summary>
public static class TestKitInfo
{
    public const string Name = "ItOpsStream.TestKit";
}
