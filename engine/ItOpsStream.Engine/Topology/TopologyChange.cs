namespace ItOpsStream.Engine.Topology;

public sealed record TopologyChange(TopologyChangeOp Op, CiRecord? Ci, RelationRecord? Relation, long? Version = null);

public enum TopologyChangeOp { Upsert, Delete }
