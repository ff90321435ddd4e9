namespace ItOpsStream.Engine.Topology.ServiceNow;

/// <summary>Which <c>cmdb_ci</c> column becomes the CI id.</summary>
public enum ServiceNowCiId
{
    /// <summary><c>sys_id</c>: unique and stable; events must carry it.</summary>
    SysId,

    /// <summary><c>name</c>: what monitoring tools usually know (host names, service names); must be unique.</summary>
    Name,
}

/// <summary>
/// Reads ServiceNow CMDB exports: a <c>cmdb_ci</c> (or any <c>cmdb_ci_*</c> table) CSV and a
/// <c>cmdb_rel_ci</c> CSV, into a CONTRACTS §1 topology. Column and value mapping: docs/CMDB.md.
/// </summary>
public static class ServiceNowCmdbReader
{
    // Columns read into CI fields; every other non-empty column becomes an attribute.
    private static readonly string[] CriticalityColumns = ["busines_criticality", "business_criticality", "operational_criticality", "criticality"];
    private static readonly string[] OwnerColumns = ["support_group", "assignment_group", "managed_by_group", "owned_by", "managed_by"];

    /// <summary>Reads the CI export and, when given, the relation export.</summary>
    /// <exception cref="FormatException">A missing column, a malformed row or a duplicate id; the message names the file and line.</exception>
    public static TopologyDocument Read(TextReader cis, string cisSource, TextReader? relations, string? relationsSource, ServiceNowCiId idColumn = ServiceNowCiId.SysId)
    {
        ArgumentNullException.ThrowIfNull(cis);
        var ciTable = CsvTable.Read(cis, cisSource);
        int sysId = Require(ciTable, "sys_id");
        int name = ciTable.Column("name");
        int id = idColumn == ServiceNowCiId.SysId ? sysId : Require(ciTable, "name");
        int cls = ciTable.Column("sys_class_name", "class");
        int criticality = ciTable.Column(CriticalityColumns);
        int owner = ciTable.Column(OwnerColumns);
        var consumed = new HashSet<int> { sysId, name, cls, criticality, owner };

        var records = new List<CiRecord>(ciTable.Rows.Count);
        // sys_id and name both resolve to the CI id, because exports write relation ends either way
        // (sys_ids in raw exports, display names in list exports).
        var idBySysId = new Dictionary<string, string>(StringComparer.Ordinal);
        var idByName = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (line, row) in ciTable.Rows)
        {
            string ciId = Cell(row, id);
            if (ciId.Length == 0)
            {
                throw new FormatException($"{cisSource} line {line}: empty {ciTable.Header[id]}");
            }

            if (!idBySysId.TryAdd(Cell(row, sysId), ciId) || (idColumn == ServiceNowCiId.Name && idByName.ContainsKey(ciId)))
            {
                throw new FormatException($"{cisSource} line {line}: duplicate CI {ciTable.Header[id]} '{ciId}'");
            }

            string ciName = Cell(row, name);
            if (ciName.Length > 0)
            {
                // A name shared by two CIs cannot resolve a relation end: remember it as ambiguous.
                idByName[ciName] = idByName.ContainsKey(ciName) ? null : ciId;
            }

            Dictionary<string, string>? attributes = null;
            for (int i = 0; i < row.Length; i++)
            {
                if (!consumed.Contains(i) && row[i].Length > 0)
                {
                    (attributes ??= new Dictionary<string, string>(StringComparer.Ordinal))[ciTable.Header[i]] = row[i];
                }
            }

            if (idColumn == ServiceNowCiId.Name)
            {
                (attributes ??= new Dictionary<string, string>(StringComparer.Ordinal))["sys_id"] = Cell(row, sysId);
            }

            string rawClass = Cell(row, cls);
            if (rawClass.Length > 0)
            {
                (attributes ??= new Dictionary<string, string>(StringComparer.Ordinal))["sys_class_name"] = rawClass;
            }

            string ownerText = Cell(row, owner);
            records.Add(new CiRecord(
                ciId,
                MapClass(rawClass),
                ciName.Length > 0 ? ciName : null,
                MapCriticality(Cell(row, criticality), cisSource, line),
                ownerText.Length > 0 ? ownerText : null,
                attributes));
        }

        var relationRecords = new List<RelationRecord>();
        if (relations is not null)
        {
            string source = relationsSource ?? "cmdb_rel_ci";
            var relTable = CsvTable.Read(relations, source);
            int parent = Require(relTable, "parent");
            int child = Require(relTable, "child");
            int type = relTable.Column("type");
            foreach (var (line, row) in relTable.Rows)
            {
                string p = Resolve(Cell(row, parent));
                string c = Resolve(Cell(row, child));
                if (p.Length == 0 || c.Length == 0)
                {
                    throw new FormatException($"{source} line {line}: empty parent or child");
                }

                relationRecords.Add(ServiceNowRelationTypes.ToRelation(p, c, Cell(row, type)));
            }
        }

        return new TopologyDocument(records, relationRecords);

        string Resolve(string end) =>
            idBySysId.TryGetValue(end, out string? byId) ? byId
            : idByName.TryGetValue(end, out string? byName) && byName is not null ? byName
            : end;
    }

    /// <summary>Reads the CI export file and, when given, the relation export file.</summary>
    public static TopologyDocument Load(string cisPath, string? relationsPath, ServiceNowCiId idColumn = ServiceNowCiId.SysId)
    {
        using var cis = new StreamReader(cisPath);
        using var relations = relationsPath is null ? null : new StreamReader(relationsPath);
        return Read(cis, Path.GetFileName(cisPath), relations, relationsPath is null ? null : Path.GetFileName(relationsPath), idColumn);
    }

    /// <summary>
    /// Business services (<c>cmdb_ci_service</c>, <c>cmdb_ci_service_business</c>) become
    /// <c>business_service</c>; other classes lose the <c>cmdb_ci_</c> prefix (<c>cmdb_ci_linux_server</c> → <c>linux_server</c>).
    /// </summary>
    internal static string MapClass(string sysClassName) => sysClassName switch
    {
        "" => "ci",
        "cmdb_ci_service" or "cmdb_ci_service_business" or "business_service" => CiRecord.BusinessServiceClass,
        _ when sysClassName.StartsWith("cmdb_ci_", StringComparison.Ordinal) => sysClassName["cmdb_ci_".Length..],
        _ => sysClassName,
    };

    /// <summary>ServiceNow's "1 - most critical" … "4 - not critical", the bare digits, or the contract's names.</summary>
    internal static Criticality MapCriticality(string text, string source, int line)
    {
        string t = text.Trim();
        if (t.Length == 0)
        {
            return Criticality.Medium;
        }

        return t[0] switch
        {
            '1' => Criticality.Critical,
            '2' => Criticality.High,
            '3' => Criticality.Medium,
            '4' or '5' => Criticality.Low,
            _ => t.ToUpperInvariant() switch
            {
                "CRITICAL" or "MOST CRITICAL" => Criticality.Critical,
                "HIGH" or "SOMEWHAT CRITICAL" => Criticality.High,
                "MEDIUM" or "LESS CRITICAL" => Criticality.Medium,
                "LOW" or "NOT CRITICAL" => Criticality.Low,
                _ => throw new FormatException($"{source} line {line}: unknown criticality '{t}' (expected 1-4 or critical/high/medium/low)"),
            },
        };
    }

    private static int Require(CsvTable table, string column)
    {
        int index = table.Column(column);
        return index >= 0 ? index : throw new FormatException($"{table.Source} line 1: missing column '{column}'");
    }

    private static string Cell(string[] row, int index) => index >= 0 && index < row.Length ? row[index].Trim() : string.Empty;
}
