using ItOpsStream.Models.Logs;
using ItOpsStream.Models.Logs.Evaluation;

namespace ItOpsStream.Models.Tests.Logs;

public sealed class LogTemplateMinerTests
{
    [Fact]
    public void Mine_MasksNumbersAddressesHexUuidsPathsUrlsDurations()
    {
        var miner = new LogTemplateMiner();
        var first = miner.Mine("conn 42 from 10.0.0.1:5432 id 0xdeadbeef req 3f2504e0-4f89-11d3-9a0c-0305e82c3301 file /var/log/app/x.log url https://a.b/c took 12ms at 2026-11-25T12:00:00Z mail bob@example.org");
        var second = miner.Mine("conn 7 from [fe80::1]:80 id 0x1f req 9a0c0305-4f89-11d3-9a0c-0305e82c3301 file /srv/data/y.bin url http://x.y/z took 1.5s at 2026-11-26T01:02:03Z mail ann@corp.io");
        Assert.Equal(first.TemplateId, second.TemplateId);
        Assert.Equal(
            "conn <*> from <*> id <*> req <*> file <*> url <*> took <*> at <*> mail <*>",
            miner.GetTemplate(first.TemplateId)!.Text);
    }

    [Fact]
    public void Mine_NumberWithUnit_IsOneVariable()
    {
        var miner = new LogTemplateMiner();
        var a = miner.Mine("close, 0 bytes sent, 0 bytes received, lifetime 00:01");
        var b = miner.Mine("close, 451 bytes sent, 18846 bytes (18.4 KB) received, lifetime <1 sec");
        Assert.Equal(a.TemplateId, b.TemplateId);
    }

    [Fact]
    public void Mine_KeyValueWithNumber_KeepsKey()
    {
        var miner = new LogTemplateMiner();
        var match = miner.Mine("pool exhausted active=12 idle=0 user=root");
        Assert.Equal("pool exhausted active=<*> idle=<*> user=root", miner.GetTemplate(match.TemplateId)!.Text);
    }

    [Fact]
    public void Mine_WordColumnWithFewValues_StaysSplit()
    {
        var miner = new LogTemplateMiner();
        var on = miner.Mine("onReceive action: android.intent.action.SCREEN_ON");
        var off = miner.Mine("onReceive action: android.intent.action.SCREEN_OFF");
        Assert.NotEqual(on.TemplateId, off.TemplateId);
        string[] lifecycle = ["Started", "Paused", "Resumed", "Stopped"];
        var ids = lifecycle.Select(e => miner.Mine($"[instance: 42] VM {e} (Lifecycle Event)").TemplateId).ToList();
        Assert.Equal(4, ids.Distinct().Count());
        Assert.Equal(on.TemplateId, miner.Mine("onReceive action: android.intent.action.SCREEN_ON").TemplateId);
    }

    [Fact]
    public void Mine_WordColumnWithManyValues_GeneralisesAndKeepsOldestId()
    {
        var miner = new LogTemplateMiner();
        var first = miner.Mine("Invalid user alice from 1.2.3.4");
        miner.Mine("Invalid user bob from 1.2.3.5");
        miner.Mine("Invalid user carol from 1.2.3.6");
        miner.Mine("Invalid user dave from 1.2.3.7");
        var fifth = miner.Mine("Invalid user erin from 1.2.3.8");
        Assert.Equal(first.TemplateId, fifth.TemplateId);
        Assert.Equal("Invalid user <*> from <*>", miner.GetTemplate(first.TemplateId)!.Text);
        Assert.Equal(first.TemplateId, miner.Mine("Invalid user frank from 1.2.3.9").TemplateId);
        Assert.Equal(1, miner.TemplateCount);
    }

    [Fact]
    public void ResolveId_OfMergedSibling_ReturnsSurvivor()
    {
        var miner = new LogTemplateMiner();
        var first = miner.Mine("session opened for user alice");
        var second = miner.Mine("session opened for user bob");
        Assert.NotEqual(first.TemplateId, second.TemplateId);
        miner.Mine("session opened for user carol");
        miner.Mine("session opened for user dave");
        miner.Mine("session opened for user erin");
        Assert.Equal(first.TemplateId, miner.ResolveId(second.TemplateId));
        Assert.Equal(5, miner.GetTemplate(second.TemplateId)!.Count);
    }

    [Fact]
    public void Mine_VariableSpanningSeveralTokens_JoinsOneTemplate()
    {
        var miner = new LogTemplateMiner();
        var a = miner.Mine("job finished in 3 s");
        var b = miner.Mine("job finished in 2 h 3 min");
        Assert.Equal(a.TemplateId, b.TemplateId);
    }

    [Fact]
    public void Mine_RawLineAndBareMessage_GiveSameTemplate()
    {
        var miner = new LogTemplateMiner();
        var raw = miner.Mine("081109 203518 143 INFO dfs.DataNode$DataXceiver: Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 dest: /10.250.19.102:50010");
        var bare = miner.Mine("dfs.DataNode$DataXceiver: Receiving block blk_7503483334202473044 src: /10.251.215.16:55695 dest: /10.251.215.16:50010");
        Assert.Equal(raw.TemplateId, bare.TemplateId);
        var syslog = miner.Mine("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown");
        Assert.Equal("check pass; user unknown", miner.GetTemplate(syslog.TemplateId)!.Text);
    }

    [Fact]
    public void Mine_ContentStartingWithLevelWord_IsNotStripped()
    {
        var miner = new LogTemplateMiner();
        var match = miner.Mine("ERROR while reading 3 records");
        Assert.Equal("ERROR while reading <*> records", miner.GetTemplate(match.TemplateId)!.Text);
    }

    [Fact]
    public void Mine_ExtraMask_ReplacesMatches()
    {
        var miner = new LogTemplateMiner(LogMinerOptions.Default with { ExtraMasks = [@"tenant-[a-z]+"] });
        var a = miner.Mine("quota exceeded for tenant-acme");
        var b = miner.Mine("quota exceeded for tenant-globex");
        Assert.Equal(a.TemplateId, b.TemplateId);
        Assert.Equal("quota exceeded for <*>", miner.GetTemplate(a.TemplateId)!.Text);
    }

    [Fact]
    public void Mine_OverClusterCap_EvictsLeastRecentlySeen()
    {
        var miner = new LogTemplateMiner(LogMinerOptions.Default with { MaxClusters = 16 });
        var keep = miner.Mine("heartbeat ok");
        for (int i = 0; i < 40; i++)
        {
            miner.Mine($"distinct message number{(char)('a' + (i % 26))}{(char)('a' + (i / 26))} here and {new string('x', i + 1)}");
            miner.Mine("heartbeat ok");
        }

        Assert.True(miner.ClusterCount <= 16);
        Assert.Equal(keep.TemplateId, miner.ResolveId(keep.TemplateId));
    }

    [Fact]
    public void Options_Invalid_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => new LogTemplateMiner(LogMinerOptions.Default with { DistinctValuesToGeneralize = 1 }));
        Assert.Throws<ArgumentException>(() => new LogTemplateMiner(LogMinerOptions.Default with { ExtraMasks = ["("] }));
    }

    [Fact]
    public void Snapshot_RoundTrip_KeepsIdsAndGeneralisation()
    {
        var miner = new LogTemplateMiner();
        var users = miner.Mine("Invalid user alice from 1.2.3.4");
        var sibling = miner.Mine("Invalid user bob from 1.2.3.4");
        miner.Mine("Invalid user carol from 1.2.3.4");
        miner.Mine("Invalid user dave from 1.2.3.4");
        var disk = miner.Mine("disk /dev/sda1 full");
        using var stream = new MemoryStream();
        miner.Save(stream);
        stream.Position = 0;
        var restored = LogTemplateMiner.Load(stream);

        Assert.Equal(disk.TemplateId, restored.Mine("disk /dev/sdb2 full").TemplateId);
        Assert.Equal(users.TemplateId, restored.Mine("Invalid user erin from 5.6.7.8").TemplateId);
        Assert.Equal(users.TemplateId, restored.ResolveId(sibling.TemplateId));
        var fresh = restored.Mine("a brand new message");
        Assert.True(fresh.IsNewTemplate);
        Assert.True(fresh.TemplateId > disk.TemplateId);
    }

    [Fact]
    public void Load_Garbage_ThrowsInvalidData()
    {
        using var stream = new MemoryStream("{not json"u8.ToArray());
        Assert.Throws<InvalidDataException>(() => LogTemplateMiner.Load(stream));
    }

    [Fact]
    public void Batch_EarlyMessage_GetsIdOfLaterGeneralisedTemplate()
    {
        string[] lines =
        [
            "Invalid user alice from 1.2.3.4",
            "Invalid user bob from 1.2.3.4",
            "Invalid user carol from 1.2.3.4",
            "Invalid user dave from 1.2.3.4",
            "Invalid user erin from 1.2.3.4",
        ];
        var result = LogTemplateBatch.Mine(lines);
        Assert.Single(result.TemplateIds.Distinct());
        Assert.Equal("Invalid user <*> from <*>", result.Templates[result.TemplateIds[0]].Text);
    }

    [Fact]
    public void Batch_SameInput_SameOutput()
    {
        var corpus = LabelledLogGenerator.GenerateCorpora(2000, seed: 3).First();
        var a = LogTemplateBatch.Mine(corpus.Messages);
        var b = LogTemplateBatch.Mine(corpus.Messages);
        Assert.Equal(a.TemplateIds, b.TemplateIds);
    }

    [Fact]
    public void Batch_GeneratedCorpora_GroupAccurately()
    {
        foreach (var (name, messages, labels) in LabelledLogGenerator.GenerateCorpora(3000, seed: 11))
        {
            var result = LogTemplateBatch.Mine(messages);
            var metrics = GroupingMetrics.Compute(result.TemplateIds, labels);
            Assert.True(metrics.GroupingAccuracy >= 0.9, $"{name}: GA {metrics.GroupingAccuracy:F3}");
        }
    }

    [Fact]
    public void Mine_QuotedValueWithSpaces_IsOneToken()
    {
        var miner = new LogTemplateMiner();
        var a = miner.Mine("acquire lock=1, tag=\"View Lock\", uid=7");
        miner.Mine("acquire lock=2, tag=\"wakelock\", uid=8");
        miner.Mine("acquire lock=3, tag=\"RILJ_ACK_WL\", uid=9");
        miner.Mine("acquire lock=4, tag=\"*launch*\", uid=10");
        var d = miner.Mine("acquire lock=5, tag=\"SCREEN_FROZEN\", uid=11");
        Assert.Equal(a.TemplateId, d.TemplateId);
        Assert.Equal("acquire lock=<*> tag=<*> uid=<*>", miner.GetTemplate(a.TemplateId)!.Text);
    }

    [Fact]
    public void Mine_WordColonNumber_KeepsWord()
    {
        var miner = new LogTemplateMiner();
        var match = miner.Mine("onExtend:1514038530000 14 0 4");
        Assert.Equal("onExtend:<*> <*> <*> <*>", miner.GetTemplate(match.TemplateId)!.Text);
    }

    [Fact]
    public void Mine_InterfaceNames_StayApart()
    {
        var miner = new LogTemplateMiner();
        var en0 = miner.Mine("AirPort: Link Up on en0");
        var awdl0 = miner.Mine("AirPort: Link Up on awdl0");
        Assert.NotEqual(en0.TemplateId, awdl0.TemplateId);
    }

    [Fact]
    public void Mine_WordsChangingTogether_StayDistinctTemplates()
    {
        var miner = new LogTemplateMiner();
        string[] states = ["NEW", "INITED", "SETUP", "RUNNING", "COMMITTING", "SUCCEEDED"];
        var ids = new List<int>();
        for (int i = 0; i + 1 < states.Length; i++)
        {
            ids.Add(miner.Mine($"job_1445144423722_0020Job Transitioned from {states[i]} to {states[i + 1]}").TemplateId);
        }

        Assert.Equal(5, ids.Distinct().Count());
    }
    [Theory]
    [InlineData("2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200", "- Notification time out: <*>")]
    [InlineData("- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected", "instruction cache parity error corrected")]
    [InlineData("- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed for user root", "session closed for user root")]
    [InlineData("03-17 16:13:38.859  2227  2227 D TextView: visible is system.time.showampm", "TextView: visible is system.time.showampm")]
    [InlineData("2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505 with Core: C:\\Windows\\winsxs\\amd64_microsoft\\cbscore.dll", "CBS Loaded Servicing Stack <*> with Core: <*>")]
    [InlineData("17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]", "executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]")]
    [InlineData("2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Executing with tokens:", "<*> Executing with tokens:")]
    [InlineData("[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties", "workerEnv.init() ok <*>")]
    [InlineData("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186", "Invalid user webmaster from <*>")]
    [InlineData("Jul  1 09:00:55 calvisitor-10-105-160-95 kernel[0]: AirPort: Link Up on en0", "AirPort: Link Up on en0")]
    [InlineData("081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating", "dfs.DataNode$PacketResponder: PacketResponder <*> for block <*> terminating")]
    [InlineData("nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38101a0b-2096-447d-96ea-a692162415ae 113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -] 10.11.10.1 \"GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1\" status: 200 len: 1893 time: 0.2477829", "<*> \"GET <*> <*> status: <*> len: <*> time: <*>")]
    [InlineData("nova-compute.log.1.2017-05-16_13:55:31 2017-05-16 00:00:10.302 2931 INFO nova.virt.libvirt.driver [-] [instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] Instance spawned successfully.", "[instance: <*> Instance spawned successfully.")]
    public void Mine_RawLineOfCommonFormat_StripsHeader(string raw, string expected)
    {
        var miner = new LogTemplateMiner();
        var match = miner.Mine(raw);
        Assert.Equal(expected, miner.GetTemplate(match.TemplateId)!.Text);
    }

    [Fact]
    public void Mine_DotLeaderInsideAToken_SeparatesLabelAndValue()
    {
        // BGL: "program interrupt: illegal instruction......0": the label is a constant, only the value varies.
        var miner = new LogTemplateMiner();
        var illegal = miner.Mine("program interrupt: illegal instruction......0");
        var again = miner.Mine("program interrupt: illegal instruction......1");
        var privileged = miner.Mine("program interrupt: privileged instruction...0");

        Assert.Equal(illegal.TemplateId, again.TemplateId);
        Assert.NotEqual(illegal.TemplateId, privileged.TemplateId);
        Assert.Equal("program interrupt: illegal instruction <*>", miner.GetTemplate(illegal.TemplateId)!.Text);
        Assert.Equal("Waiting... done", miner.GetTemplate(miner.Mine("Waiting... done").TemplateId)!.Text);
    }

    [Fact]
    public void Mine_FirstWord_NamesTheEventUnlessConfiguredOtherwise()
    {
        string[] commands = ["boot", "halt", "wait", "reboot", "shutdown", "probe"];
        var miner = new LogTemplateMiner();
        var ids = commands.Select((c, i) => miner.Mine($"{c} (command {1000 + i})").TemplateId).ToList();
        Assert.Equal(commands.Length, ids.Distinct().Count());

        var eager = new LogTemplateMiner(LogMinerOptions.Default with { GeneralizeFirstWord = true });
        var eagerIds = commands.Select((c, i) => eager.Mine($"{c} (command {1000 + i})").TemplateId).Select(eager.ResolveId).Distinct().ToList();
        Assert.Equal("<*> (command <*>", eager.GetTemplate(eager.ResolveId(eagerIds[^1]))!.Text);
    }

    [Fact]
    public void Mine_MonthAndWeekdayNamesInADate_AreVariables_ElsewhereWords()
    {
        var miner = new LogTemplateMiner();
        var a = miner.Mine("connection from 10.0.0.1 (h1.example.net) at Sun Jul 10 03:55:15 2005");
        var b = miner.Mine("connection from 10.0.0.2 (h2.example.net) at Mon Jun 27 11:02:40 2005");
        var c = miner.Mine("connection from 10.0.0.3 () at Fri Jul 1 00:00:01 2005");

        Assert.Equal(a.TemplateId, b.TemplateId);
        Assert.Equal(a.TemplateId, c.TemplateId);
        Assert.Equal("connection from <*> <*> at <*> <*> <*> <*> <*>", miner.GetTemplate(a.TemplateId)!.Text);
        Assert.NotEqual(miner.Mine("the Mon team paged").TemplateId, miner.Mine("the Tue team paged").TemplateId);
    }

    [Fact]
    public void Mine_KeyValueWordsThatVary_KeepTheirKey()
    {
        // OpenSSH: the same failure with and without "user=NAME" are two events; the user name is the variable.
        var miner = new LogTemplateMiner();
        string[] users = ["alice", "bob", "carol", "dave", "erin", "frank"];
        var withUser = users.Select(u => miner.Mine($"authentication failure; rhost=10.0.0.1 user={u}").TemplateId).ToList();
        var without = miner.Mine("authentication failure; rhost=10.0.0.1").TemplateId;

        Assert.Equal(withUser[^1], miner.ResolveId(withUser[0]));
        Assert.NotEqual(withUser[^1], without);
        Assert.Equal("authentication failure; rhost=<*> user=<*>", miner.GetTemplate(withUser[^1])!.Text);
    }
}

