namespace ItOpsStream.Engine.Topology;

public enum TopologyChangeOp { Upsert, Delete }

public sealed record TopologyChange(TopologyChangeOp Op, CiRecord? Ci, RelationRecord? Relation, long? Version = null);
