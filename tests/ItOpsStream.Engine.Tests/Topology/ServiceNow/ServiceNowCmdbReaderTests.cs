using ItOpsStream.Engine.Topology;
using ItOpsStream.Engine.Topology.ServiceNow;

namespace ItOpsStream.Engine.Tests.Topology.ServiceNow;

public sealed class ServiceNowCmdbReaderTests
{
    private const string Cis = "\uFEFFsys_id,name,sys_class_name,busines_criticality,support_group,owned_by,ip_address,short_description\r\n"
        + "a1,Online Store,cmdb_ci_service_business,1 - most critical,Commerce,Fred,,\"Shop, \"\"main\"\"\"\r\n"
        + "b2,checkout,cmdb_ci_appl,2 - somewhat critical,Payments,,,\r\n"
        + "c3,orders-db,cmdb_ci_db_mssql_instance,,,,10.0.0.5,\"two\nlines\"\r\n"
        + "d4,node-3,cmdb_ci_linux_server,4 - not critical,,Ops,10.0.0.9,\r\n";

    private const string Relations = "parent,child,type\n"
        + "a1,b2,Depends on::Used by\n"
        + "b2,c3,Depends on::Used by\n"
        + "d4,b2,Runs::Runs on\n"
        + "c3,d4,Hosted on::Hosts\n"
        + "checkout,node-3,Sends data to::Receives data from\n"
        + "a1,zz9,Some custom::Inverse\n";

    [Fact]
    public void Read_MapsColumnsClassesAndCriticality()
    {
        var doc = Read(Cis, null);

        Assert.Equal(4, doc.Cis.Count);
        var store = doc.Cis[0];
        Assert.Equal(("a1", "business_service", "Online Store", Criticality.Critical, "Commerce"), (store.Id, store.Class, store.Name, store.Criticality, store.Owner));
        Assert.Equal("Shop, \"main\"", store.Attributes!["short_description"]);
        Assert.Equal("cmdb_ci_service_business", store.Attributes["sys_class_name"]);
        Assert.Equal(("appl", Criticality.High), (doc.Cis[1].Class, doc.Cis[1].Criticality));
        Assert.Equal((Criticality.Medium, "two\nlines"), (doc.Cis[2].Criticality, doc.Cis[2].Attributes!["short_description"]));
        // No support group: owned_by is the next owner column in line.
        Assert.Equal(("linux_server", Criticality.Low, (string?)null), (doc.Cis[3].Class, doc.Cis[3].Criticality, doc.Cis[3].Owner));
    }

    [Fact]
    public void Read_RelationsPointFromTheDependentCi()
    {
        var doc = Read(Cis, Relations);

        Assert.Equal(
            [
                new RelationRecord("a1", "b2", "depends_on"),
                new RelationRecord("b2", "c3", "depends_on"),
                new RelationRecord("b2", "d4", "runs_on"),
                new RelationRecord("c3", "d4", "hosted_on"),
                new RelationRecord("d4", "b2", "receives_data_from"),
                new RelationRecord("a1", "zz9", "some_custom"),
            ],
            doc.Relations);
    }

    [Theory]
    [InlineData("Depends on::Used by", "P", "depends_on")]
    [InlineData("Used by::Depends on", "C", "depends_on")]
    [InlineData("Runs on::Runs", "P", "runs_on")]
    [InlineData("Runs::Runs on", "C", "runs_on")]
    [InlineData("Hosted on::Hosts", "P", "hosted_on")]
    [InlineData("Hosts::Hosted on", "C", "hosted_on")]
    [InlineData("Contains::Contained by", "P", "contains")]
    [InlineData("Contained by::Contains", "C", "contains")]
    [InlineData("Connects to::Connected by", "P", "connects_to")]
    [InlineData("Uses::Used by", "P", "uses")]
    [InlineData("Members::Member of", "P", "members")]
    [InlineData("Member of::Members", "C", "members")]
    [InlineData("Virtualized by::Virtualizes", "P", "virtualized_by")]
    [InlineData("Virtualizes::Virtualized by", "C", "virtualized_by")]
    [InlineData("Sends data to::Receives data from", "C", "receives_data_from")]
    [InlineData("Receives data from::Sends data to", "P", "receives_data_from")]
    [InlineData("Provides::Provided by", "C", "provided_by")]
    [InlineData("Powers::Powered by", "C", "powered_by")]
    [InlineData("", "P", "depends_on")]
    public void RelationType_MapsToContractDirection(string type, string from, string expectedType)
    {
        var relation = ServiceNowRelationTypes.ToRelation("P", "C", type);

        Assert.Equal((from, from == "P" ? "C" : "P", expectedType), (relation.From, relation.To, relation.Type));
    }

    [Fact]
    public void Read_IdByName_ResolvesRelationEndsAndKeepsTheSysId()
    {
        var doc = ServiceNowCmdbReader.Read(new StringReader(Cis), "cmdb_ci.csv", new StringReader(Relations), "cmdb_rel_ci.csv", ServiceNowCiId.Name);

        Assert.Equal("a1", doc.Cis.Single(c => c.Id == "Online Store").Attributes!["sys_id"]);
        Assert.Contains(new RelationRecord("checkout", "node-3", "runs_on"), doc.Relations);
    }

    [Theory]
    [InlineData("name,sys_class_name\nx,y\n", "cmdb_ci.csv line 1: missing column 'sys_id'")]
    [InlineData("sys_id,name\na,\"open\n", "cmdb_ci.csv line 2: unterminated quoted field")]
    [InlineData("sys_id,name\na,b,c\n", "cmdb_ci.csv line 2: 3 fields but the header has 2")]
    [InlineData("sys_id,name\na,b\na,c\n", "cmdb_ci.csv line 3: duplicate CI sys_id 'a'")]
    [InlineData("sys_id,busines_criticality\na,urgent\n", "cmdb_ci.csv line 2: unknown criticality 'urgent' (expected 1-4 or critical/high/medium/low)")]
    [InlineData("", "cmdb_ci.csv: empty file, expected a header row")]
    public void Read_BadInput_FailsWithFileAndLine(string csv, string message)
    {
        var ex = Assert.Throws<FormatException>(() => Read(csv, null));

        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Read_RelationFileWithoutChild_FailsWithFileAndLine()
    {
        var ex = Assert.Throws<FormatException>(() => Read(Cis, "parent,type\na1,x\n"));

        Assert.Equal("cmdb_rel_ci.csv line 1: missing column 'child'", ex.Message);
    }

    private static TopologyDocument Read(string cis, string? relations) =>
        ServiceNowCmdbReader.Read(new StringReader(cis), "cmdb_ci.csv", relations is null ? null : new StringReader(relations), "cmdb_rel_ci.csv");
}
