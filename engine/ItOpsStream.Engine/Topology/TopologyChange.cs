namespace ItOpsStream.Engine.Topology;

/// <summary>What a CMDB change record does to the topology (CONTRACTS §1, field <c>op</c>).</summary>
public enum TopologyChangeOp : byte
{
    /// <summary>Adds the CI or relation, or replaces the one with the same key.</summary>
    Upsert = 0,

    /// <summary>Removes the CI (by id, with every relation naming it) or the relation between from and to, whatever its type.</summary>
    Delete = 1,
}

/// <summary>
/// One message of the CMDB change topic: a CI or a relation in the topology file's shape, plus what
/// to do with it. Exactly one of <see cref="Ci"/> and <see cref="Relation"/> is set.
/// </summary>
/// <param name="Op">Upsert or delete.</param>
/// <param name="Ci">The CI, when the message has an <c>id</c>. For a delete only its id is meaningful.</param>
/// <param name="Relation">The relation, when the message has <c>from</c> and <c>to</c>.</param>
/// <param name="Version">The producer's version of the CI or relation when given; a store may ignore older versions.</param>
public sealed record TopologyChange(TopologyChangeOp Op, CiRecord? Ci, RelationRecord? Relation, long? Version = null);
