using ItOpsStream.Engine.Correlation;
using ItOpsStream.Engine.Topology;

namespace ItOpsStream.Engine.Tests.Support;

/// <summary>
/// A small shop estate:
/// <code>
/// bs:online-store (high) ─► svc:frontend ─► svc:checkout ─► db:orders ─runs_on─► host:db-1
///                                       │                └► svc:payment ─► db:payments
///                                       └► svc:cart ─► cache:redis
/// svc:checkout, svc:cart ─runs_on─► host:node-1        bs:reporting (low) ─► svc:reports ─► db:warehouse
/// </code>
/// </summary>
internal static class TestTopology
{
    public static TopologyDocument Document { get; } = new(
        [
            new CiRecord("bs:online-store", "business_service", "Online Store", Criticality.High, "team-commerce"),
            new CiRecord("bs:reporting", "business_service", "Reporting", Criticality.Low, "team-bi"),
            new CiRecord("svc:frontend", "service", "frontend", Owner: "team-web"),
            new CiRecord("svc:checkout", "service", "checkoutservice", Owner: "team-payments"),
            new CiRecord("svc:payment", "service", "paymentservice", Owner: "team-payments"),
            new CiRecord("svc:cart", "service", "cartservice", Owner: "team-cart"),
            new CiRecord("svc:reports", "service", "reports", Owner: "team-bi"),
            new CiRecord("db:orders", "database", "orders-db", Owner: "team-data"),
            new CiRecord("db:payments", "database", "payments-db", Owner: "team-data"),
            new CiRecord("db:warehouse", "database", "warehouse", Owner: "team-bi"),
            new CiRecord("cache:redis", "cache", "redis"),
            new CiRecord("host:node-1", "host", "node-1", Owner: "team-infra"),
            new CiRecord("host:db-1", "host", "db-1", Owner: "team-infra"),
        ],
        [
            new RelationRecord("bs:online-store", "svc:frontend"),
            new RelationRecord("svc:frontend", "svc:checkout"),
            new RelationRecord("svc:frontend", "svc:cart"),
            new RelationRecord("svc:checkout", "db:orders"),
            new RelationRecord("svc:checkout", "svc:payment"),
            new RelationRecord("svc:payment", "db:payments"),
            new RelationRecord("svc:cart", "cache:redis"),
            new RelationRecord("svc:checkout", "host:node-1", "runs_on"),
            new RelationRecord("svc:cart", "host:node-1", "runs_on"),
            new RelationRecord("db:orders", "host:db-1", "runs_on"),
            new RelationRecord("bs:reporting", "svc:reports"),
            new RelationRecord("svc:reports", "db:warehouse"),
        ]);

    public static TopologyGraph Graph { get; } = TopologyGraph.Build(Document);

    public static ITopologyProvider Provider { get; } = new StaticTopology(Graph);
}
