using ItOpsStream.Engine.Detection;
using ItOpsStream.Models.Tests.Training;
using ItOpsStream.Models.Training;

namespace ItOpsStream.Engine.Tests.Detection;

public sealed class ModelsProviderTests : IDisposable
{
    private static readonly Lazy<byte[]> FleetZip = new(() =>
    {
        using var stream = new MemoryStream();
        CorrelatedHosts.Train().Save(stream);
        return stream.ToArray();
    });

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("itops-models-provider-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string ModelsDir => Path.Combine(_dir.FullName, "models");

    private string File(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir.FullName, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void TryReload_NoManifestYet_IsUnchangedAtVersionZero()
    {
        var provider = new ModelsProvider(ModelsDir);
        var result = provider.TryReload();
        Assert.Equal(ModelReloadStatus.Unchanged, result.Status);
        Assert.Same(ModelSet.Empty, provider.Current);
    }

    [Fact]
    public void TryReload_PromotedPca_LoadsItOnceWithItsMetrics()
    {
        ModelManifest.Promote(ModelsDir, File("m.zip", FleetZip.Value), "fleet", "pca");
        var provider = new ModelsProvider(ModelsDir);
        Assert.Equal(ModelReloadStatus.Loaded, provider.TryReload().Status);
        var model = Assert.Single(provider.Current.Models);
        Assert.Equal(("fleet", 1L), (model.Name, provider.Current.Version));
        Assert.Equal(["cpu", "requests"], model.Metrics);
        Assert.Null(model.Ci);
        Assert.Equal(ModelReloadStatus.Unchanged, provider.TryReload().Status);
    }

    [Fact]
    public void TryReload_ShaMismatch_KeepsPreviousModelsSaysWhyAndDoesNotRetryThatVersion()
    {
        var good = File("m.zip", FleetZip.Value);
        ModelManifest.Promote(ModelsDir, good, "fleet", "pca");
        var provider = new ModelsProvider(ModelsDir);
        provider.TryReload();
        var before = provider.Current;

        var entry = ModelManifest.Promote(ModelsDir, good, "fleet", "pca").Models.Single();
        System.IO.File.WriteAllBytes(Path.Combine(ModelsDir, entry.File), [.. FleetZip.Value.Take(100)]);
        var refused = provider.TryReload();

        Assert.Equal(ModelReloadStatus.Refused, refused.Status);
        Assert.Equal(2, refused.Version);
        Assert.Contains("fleet.v2.zip", refused.Error, StringComparison.Ordinal);
        Assert.Contains("SHA-256", refused.Error, StringComparison.Ordinal);
        Assert.Contains("keeping the models of version 1", refused.Error, StringComparison.Ordinal);
        Assert.Same(before, provider.Current);
        Assert.Equal(ModelReloadStatus.Unchanged, provider.TryReload().Status);

        ModelManifest.Promote(ModelsDir, good, "fleet", "pca");
        Assert.Equal(ModelReloadStatus.Loaded, provider.TryReload().Status);
        Assert.Equal(3, provider.Current.Version);
    }

    [Fact]
    public void TryReload_DirectoryRecreatedFromScratch_IsPickedUp_AndWhileItHasNoManifestTheModelsKeepRunning()
    {
        var zip = File("m.zip", FleetZip.Value);
        ModelManifest.Promote(ModelsDir, zip, "fleet", "pca");
        ModelManifest.Promote(ModelsDir, zip, "fleet", "pca");
        var provider = new ModelsProvider(ModelsDir);
        Assert.Equal(ModelReloadStatus.Loaded, provider.TryReload().Status);
        var running = provider.Current;
        Assert.Equal(2, running.Version);

        Directory.Delete(ModelsDir, recursive: true);
        Assert.Equal(ModelReloadStatus.Unchanged, provider.TryReload().Status);
        Directory.CreateDirectory(ModelsDir);
        Assert.Equal(ModelReloadStatus.Unchanged, provider.TryReload().Status);
        Assert.Same(running, provider.Current);

        // Version 1 again, lower than the running 2, and another model: it is what the directory now holds.
        ModelManifest.Promote(ModelsDir, File("s.onnx", TinyOnnx.MaxAbs(8)), "spikes", "onnx", metric: "latency");
        var reloaded = provider.TryReload();
        Assert.Equal((ModelReloadStatus.Loaded, 1L), (reloaded.Status, reloaded.Version));
        Assert.Equal("spikes", Assert.Single(provider.Current.Models).Name);
        Assert.Equal(ModelReloadStatus.Unchanged, provider.TryReload().Status);
    }

    [Fact]
    public void TryReload_FileThatIsNotAModel_IsRefusedWithItsName()
    {
        ModelManifest.Promote(ModelsDir, File("junk.zip", [1, 2, 3, 4]), "fleet", "pca");
        var provider = new ModelsProvider(ModelsDir);
        var result = provider.TryReload();
        Assert.Equal(ModelReloadStatus.Refused, result.Status);
        Assert.Contains("fleet.v1.zip", result.Error, StringComparison.Ordinal);
        Assert.Same(ModelSet.Empty, provider.Current);
    }

    [Fact]
    public void TryReload_BrokenManifestJson_IsRefusedNamingTheManifest()
    {
        Directory.CreateDirectory(ModelsDir);
        System.IO.File.WriteAllText(Path.Combine(ModelsDir, "manifest.json"), "{\"version\": 3, \"models\": [");
        var result = new ModelsProvider(ModelsDir).TryReload();
        Assert.Equal(ModelReloadStatus.Refused, result.Status);
        Assert.Contains("manifest.json", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReload_AnotherModelPromoted_KeepsTheUnchangedModelInstance()
    {
        var zip = File("m.zip", FleetZip.Value);
        ModelManifest.Promote(ModelsDir, zip, "fleet", "pca");
        var provider = new ModelsProvider(ModelsDir);
        provider.TryReload();
        var fleet = provider.Current.Models.Single();

        ModelManifest.Promote(ModelsDir, File("s.onnx", TinyOnnx.MaxAbs(8)), "spikes", "onnx", metric: "latency");
        Assert.Equal(ModelReloadStatus.Loaded, provider.TryReload().Status);
        Assert.Equal(["fleet", "spikes"], provider.Current.Models.Select(m => m.Name));
        Assert.Same(fleet, provider.Current.Models[0]);
        Assert.Equal(["latency"], provider.Current.Models[1].Metrics);
    }

    [Fact]
    public void TryReload_OnnxWithoutMetric_LoadsTheRestAndWarns()
    {
        ModelManifest.Promote(ModelsDir, File("s.onnx", TinyOnnx.MaxAbs(8)), "spikes", "onnx");
        ModelManifest.Promote(ModelsDir, File("m.zip", FleetZip.Value), "fleet", "pca");
        var provider = new ModelsProvider(ModelsDir);
        var result = provider.TryReload();
        Assert.Equal(ModelReloadStatus.Loaded, result.Status);
        Assert.Contains("--metric", Assert.Single(result.Warnings), StringComparison.Ordinal);
        Assert.Equal("fleet", Assert.Single(provider.Current.Models).Name);
    }

    [Fact]
    public async Task Watcher_NewVersion_IsLoadedOnItsTimerAndReportedOnce()
    {
        var provider = new ModelsProvider(ModelsDir);
        var reports = new List<ModelReloadResult>();
        using var watcher = new ModelsWatcher(provider, r => { lock (reports) { reports.Add(r); } }, TimeSpan.FromMilliseconds(20));
        ModelManifest.Promote(ModelsDir, File("m.zip", FleetZip.Value), "fleet", "pca");

        await Eventually.True(() => provider.Current.Version == 1);
        ModelManifest.Promote(ModelsDir, File("junk.zip", [9, 9, 9]), "fleet", "pca");
        await Eventually.True(() => { lock (reports) { return reports.Count == 2; } });
        lock (reports)
        {
            Assert.Equal([ModelReloadStatus.Loaded, ModelReloadStatus.Refused], reports.Select(r => r.Status));
        }

        Assert.Equal(1, provider.Current.Version);
    }
}

/// <summary>Polls a condition a background thread makes true, with a generous timeout (not a timed assert).</summary>
internal static class Eventually
{
    public static async Task True(Func<bool> condition, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within the timeout");
            await Task.Delay(10);
        }
    }
}
