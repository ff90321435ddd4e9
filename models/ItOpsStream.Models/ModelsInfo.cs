namespace ItOpsStream.Models;

/// <summary>Marker for the models assembly (algorithms with no I/O).</summary>
public static class ModelsInfo
{
    public const string Name = "ItOpsStream.Models";
}
