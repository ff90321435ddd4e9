using System.Globalization;
using System.Text;
using ItOpsStream.Models.Csv;

namespace ItOpsStream.Models.Logs.Evaluation;

/// <summary>
/// Generates labelled log corpora for grouping evaluation: several formats (Java/log4j with headers, syslog,
/// nginx access, Kubernetes key=value / JSON-ish, HDFS-like block logs) whose templates carry variables of every
/// kind (numbers, IPv4/IPv6 with ports, hex, UUIDs, paths, URLs, durations, timestamps, e-mails, key=value values,
/// user and host names drawn from word pools). The label of a message is the index of its template. Deterministic
/// for a seed. Built to exercise the miner, not to mirror any benchmark.
/// </summary>
public static class LabelledLogGenerator
{
    private static readonly string[] Users = ["root", "admin", "alice", "bob", "carol", "deploy", "guest", "oracle", "postgres", "www-data", "jenkins", "svc-backup"];
    private static readonly string[] Services = ["checkout", "payments", "cart", "frontend", "catalog", "shipping", "auth", "search"];
    private static readonly string[] Words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"];

    /// <summary>The corpora, each about <paramref name="messagesPerCorpus"/> messages long.</summary>
    public static IEnumerable<(string Name, List<string> Messages, List<int> Labels)> GenerateCorpora(int messagesPerCorpus, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(messagesPerCorpus);
        yield return Generate("java", Java, messagesPerCorpus, seed);
        yield return Generate("syslog", Syslog, messagesPerCorpus, seed + 1);
        yield return Generate("nginx", Nginx, messagesPerCorpus, seed + 2);
        yield return Generate("k8s", Kubernetes, messagesPerCorpus, seed + 3);
        yield return Generate("hdfs", Hdfs, messagesPerCorpus, seed + 4);
    }

    private delegate string Template(Random r);

    private static (string, List<string>, List<int>) Generate(string name, Template[] templates, int count, int seed)
    {
        var random = new Random(seed);
        // Zipf-like weights: a few templates dominate, a long tail is rare, as in production logs.
        var weights = templates.Select((_, i) => 1.0 / (i + 1)).ToArray();
        double total = weights.Sum();
        var messages = new List<string>(count);
        var labels = new List<int>(count);
        for (int n = 0; n < count; n++)
        {
            double pick = random.NextDouble() * total;
            int index = 0;
            while (index < templates.Length - 1 && (pick -= weights[index]) > 0)
            {
                index++;
            }

            messages.Add(templates[index](random));
            labels.Add(index);
        }

        return (name, messages, labels);
    }

    private static string Pick(Random r, string[] pool) => pool[r.Next(pool.Length)];

    private static string Num(Random r, int max = 100_000) => r.Next(max).ToString(CultureInfo.InvariantCulture);

    private static string Ip(Random r) => string.Create(CultureInfo.InvariantCulture, $"10.{r.Next(256)}.{r.Next(256)}.{r.Next(1, 255)}");

    private static string IpPort(Random r) => r.Next(4) == 0
        ? string.Create(CultureInfo.InvariantCulture, $"[fe80::{r.Next(0x10000):x}:{r.Next(0x10000):x}]:{r.Next(1024, 65535)}")
        : string.Create(CultureInfo.InvariantCulture, $"{Ip(r)}:{r.Next(1024, 65535)}");

    private static string Hex(Random r) => "0x" + r.NextInt64().ToString("x", CultureInfo.InvariantCulture);

    private static string Uuid(Random r)
    {
        Span<byte> bytes = stackalloc byte[16];
        r.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    private static string Duration(Random r) => r.Next(3) switch
    {
        0 => Num(r, 2000) + "ms",
        1 => (r.Next(1, 600) / 10.0).ToString("0.0", CultureInfo.InvariantCulture) + "s",
        _ => Num(r, 900) + " ms",
    };

    private static string Path(Random r) => $"/var/lib/{Pick(r, Services)}/{Pick(r, Words)}/{Pick(r, Words)}.dat";

    private static string Url(Random r) => $"https://{Pick(r, Services)}.example.com/api/v{r.Next(1, 3)}/{Pick(r, Words)}?id={Num(r)}";

    private static string Email(Random r) => $"{Pick(r, Users)}.{Pick(r, Words)}@example.org";

    private static string Host(Random r) => $"node-{r.Next(1, 40)}.{Pick(r, ["fra1", "ams3", "nyc2"])}";

    private static string Stamp(Random r) => new DateTime(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(r.Next(86_400_000))
        .ToString("yyyy-MM-dd HH:mm:ss,fff", CultureInfo.InvariantCulture);

    private static string Java4j(Random r, string level, string logger, string message) =>
        $"{Stamp(r)} {level} [{Pick(r, ["main", "pool-1-thread-" + r.Next(1, 9), "http-nio-8080-exec-" + r.Next(1, 20)])}] {logger}: {message}";

    private static readonly Template[] Java =
    [
        r => Java4j(r, "INFO", "c.e.orders.OrderService", $"Order {Uuid(r)} placed by user {Pick(r, Users)} total {r.Next(1, 900)}.{r.Next(100):00} EUR"),
        // The HTTP method is part of the event (as LogHub labels it), the URL and duration are not.
        r => Java4j(r, "INFO", "c.e.http.AccessFilter", $"Request GET {Url(r)} completed in {Duration(r)}"),
        r => Java4j(r, "WARN", "c.e.db.Pool", $"Connection pool {Pick(r, Services)} exhausted: active={r.Next(10, 50)} idle=0 waiting={r.Next(1, 300)}"),
        r => Java4j(r, "ERROR", "c.e.payments.Gateway", $"Payment {Hex(r)} declined for {Email(r)}: code={r.Next(400, 599)}"),
        r => Java4j(r, "INFO", "c.e.cache.CacheManager", $"Evicted {Num(r)} entries from cache {Pick(r, Words)} in {Duration(r)}"),
        r => Java4j(r, "ERROR", "c.e.db.Pool", $"Cannot connect to {IpPort(r)} after {r.Next(1, 6)} attempts"),
        r => Java4j(r, "DEBUG", "c.e.files.Store", $"Wrote {Num(r)} bytes to {Path(r)}"),
        r => Java4j(r, "INFO", "c.e.orders.OrderService", $"Order {Uuid(r)} shipped to {Host(r)}"),
        r => Java4j(r, "WARN", "c.e.auth.Login", $"Login failed for user {Pick(r, Users)} from {Ip(r)}"),
        r => Java4j(r, "INFO", "c.e.auth.Login", $"Login succeeded for user {Pick(r, Users)} from {Ip(r)}"),
        r => Java4j(r, "INFO", "c.e.http.AccessFilter", $"Request POST {Url(r)} completed in {Duration(r)}"),
        // A free-text variable of varying length: hard for token-position parsers, kept on purpose.
        r => Java4j(r, "ERROR", "c.e.jobs.Runner", $"Job {Uuid(r)} failed: {Pick(r, ["timeout", "connection reset by peer", "disk quota exceeded", "killed", "exit code " + r.Next(1, 9), "unknown host " + Pick(r, Services)])}"),
    ];

    private static string SyslogHeader(Random r, string process) =>
        $"Nov {r.Next(1, 29),2} {r.Next(24):00}:{r.Next(60):00}:{r.Next(60):00} {Pick(r, ["web", "db", "cache", "lb"])}-{r.Next(1, 9)} {process}[{r.Next(100, 40000)}]:";

    private static readonly Template[] Syslog =
    [
        r => $"{SyslogHeader(r, "sshd")} Accepted publickey for {Pick(r, Users)} from {Ip(r)} port {r.Next(1024, 65535)} ssh2",
        r => $"{SyslogHeader(r, "sshd")} Failed password for invalid user {Pick(r, Words)} from {Ip(r)} port {r.Next(1024, 65535)} ssh2",
        r => $"{SyslogHeader(r, "CRON")} pam_unix(cron:session): session opened for user {Pick(r, Users)} by (uid=0)",
        r => $"{SyslogHeader(r, "CRON")} pam_unix(cron:session): session closed for user {Pick(r, Users)}",
        r => $"{SyslogHeader(r, "kernel")} Out of memory: Killed process {Num(r)} ({Pick(r, Services)}) total-vm:{Num(r, 9_000_000)}kB",
        r => $"{SyslogHeader(r, "systemd")} Started Session {Num(r)} of user {Pick(r, Users)}.",
        r => $"{SyslogHeader(r, "sshd")} Disconnected from user {Pick(r, Users)} {Ip(r)} port {r.Next(1024, 65535)}",
        r => $"{SyslogHeader(r, "kernel")} EXT4-fs error (device dm-{r.Next(0, 4)}): ext4_find_entry:{r.Next(1000, 2000)}: inode #{Num(r)}: comm {Pick(r, Services)}: reading directory lblock 0",
    ];

    private static string NginxLine(Random r, string method, string path, int status) =>
        $"{Ip(r)} - - [25/Nov/2026:{r.Next(24):00}:{r.Next(60):00}:{r.Next(60):00} +0000] \"{method} {path} HTTP/1.1\" {status} {r.Next(100, 90000)} \"-\" \"Mozilla/5.0\"";

    private static string NginxError(Random r, string message) =>
        $"{DateTime.UnixEpoch.AddSeconds(1_795_000_000 + r.Next(86_400)).ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture)} [error] {r.Next(1, 9)}#0: *{Num(r)} {message}, client: {Ip(r)}, server: shop.example.com";

    // Access lines differ only in variables (path, status, size), so one template per method, as a human would label them.
    private static readonly Template[] Nginx =
    [
        r => NginxLine(r, "GET", r.Next(3) switch { 0 => $"/api/v1/products/{Num(r)}", 1 => $"/static/{Pick(r, Words)}.{r.Next(100, 999)}.js", _ => $"/api/v1/orders/{Uuid(r)}" }, Pick(r, ["200", "304", "404"]) is var s ? int.Parse(s, CultureInfo.InvariantCulture) : 200),
        r => NginxLine(r, "POST", Pick(r, ["/api/v1/cart", "/api/v1/checkout", "/api/v1/login"]), Pick(r, ["201", "400", "502"]) is var s ? int.Parse(s, CultureInfo.InvariantCulture) : 201),
        r => NginxError(r, $"upstream timed out (110: Connection timed out) while reading response header from upstream, upstream: \"http://{IpPort(r)}/\""),
        r => NginxError(r, $"open() \"{Path(r)}\" failed (2: No such file or directory)"),
        r => NginxError(r, $"client intended to send too large body: {r.Next(1_000_000, 90_000_000)} bytes"),
        r => NginxLine(r, "HEAD", "/healthz", 200),
    ];

    private static string Kv(Random r, string level, string msg, string extra) =>
        $"ts={DateTime.UnixEpoch.AddMilliseconds(1_795_000_000_000 + r.Next(86_400_000)).ToString("O", CultureInfo.InvariantCulture)} level={level} pod={Pick(r, Services)}-{r.Next(0x100000):x5}-{Pick(r, ["abcde", "fghij", "klmno", "pqrst"])} msg=\"{msg}\" {extra}";

    private static readonly Template[] Kubernetes =
    [
        r => Kv(r, "info", "request served", $"path=/api/{Pick(r, Words)} status=200 latency={Duration(r).Replace(" ", string.Empty, StringComparison.Ordinal)}"),
        r => Kv(r, "error", "readiness probe failed", $"container={Pick(r, Services)} reason=Timeout after={r.Next(1, 30)}s"),
        r => Kv(r, "warn", "restarting container", $"container={Pick(r, Services)} restarts={r.Next(1, 40)} exit_code={r.Next(1, 140)}"),
        r => $"{{\"level\":\"info\",\"ts\":{1_795_000_000 + r.Next(86_400)}.{r.Next(1000):000},\"msg\":\"Pulled image\",\"image\":\"registry.example.com/{Pick(r, Services)}:v{r.Next(1, 9)}.{r.Next(20)}\",\"node\":\"{Host(r)}\"}}",
        r => $"{{\"level\":\"error\",\"ts\":{1_795_000_000 + r.Next(86_400)}.{r.Next(1000):000},\"msg\":\"Failed to mount volume\",\"volume\":\"pvc-{Uuid(r)}\",\"error\":\"timeout\"}}",
        r => Kv(r, "info", "leader elected", $"lease=kube-system/{Pick(r, Services)} holder={Host(r)}"),
    ];

    private static string HdfsHeader(Random r, string level, string component) =>
        $"{r.Next(81109, 81112):000000} {r.Next(240000):000000} {r.Next(1, 30000)} {level} {component}:";

    private static string Block(Random r) => "blk_" + (r.Next(2) == 0 ? "-" : string.Empty) + r.NextInt64(1_000_000_000_000_000L, long.MaxValue).ToString(CultureInfo.InvariantCulture);

    private static readonly Template[] Hdfs =
    [
        r => $"{HdfsHeader(r, "INFO", "dfs.DataNode$PacketResponder")} PacketResponder {r.Next(3)} for block {Block(r)} terminating",
        r => $"{HdfsHeader(r, "INFO", "dfs.DataNode$PacketResponder")} Received block {Block(r)} of size {r.Next(1, 67108864)} from /{Ip(r)}",
        r => $"{HdfsHeader(r, "INFO", "dfs.DataNode$DataXceiver")} Receiving block {Block(r)} src: /{IpPort(r)} dest: /{IpPort(r)}",
        r => $"{HdfsHeader(r, "INFO", "dfs.FSNamesystem")} BLOCK* NameSystem.addStoredBlock: blockMap updated: {IpPort(r)} is added to {Block(r)} size {r.Next(1, 67108864)}",
        r => $"{HdfsHeader(r, "INFO", "dfs.FSNamesystem")} BLOCK* NameSystem.allocateBlock: /user/root/rand/_temporary/_task_{Num(r)}_m_{Num(r)}_0/part-{r.Next(10000):00000}. {Block(r)}",
        r => $"{HdfsHeader(r, "WARN", "dfs.DataNode$DataXceiver")} {IpPort(r)}:Got exception while serving {Block(r)} to /{Ip(r)}:",
        r => $"{HdfsHeader(r, "INFO", "dfs.DataNode")} {IpPort(r)} Served block {Block(r)} to /{Ip(r)}",
        r => $"{HdfsHeader(r, "INFO", "dfs.FSDataset")} Deleting block {Block(r)} file /mnt/hadoop/dfs/data/current/subdir{r.Next(64)}/{Block(r)}",
    ];

    /// <summary>Writes a corpus as a LogHub-style structured CSV (LineId,Content,EventId), for <c>logs eval --data</c>.</summary>
    public static string ToStructuredCsv(IReadOnlyList<string> messages, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(labels);
        var builder = new StringBuilder("LineId,Content,EventId\n");
        for (int i = 0; i < messages.Count; i++)
        {
            builder.Append(i + 1).Append(',');
            CsvFields.Append(builder, messages[i]);
            builder.Append(",E").Append(labels[i] + 1).Append('\n');
        }

        return builder.ToString();
    }
}
