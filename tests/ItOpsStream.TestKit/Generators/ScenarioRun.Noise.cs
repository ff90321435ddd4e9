using System.Globalization;
using ItOpsStream.Engine.Telemetry;

namespace ItOpsStream.TestKit.Generators;

internal sealed partial class ScenarioRun
{
    private static readonly string[] UnknownCiPatterns = ["host:unmanaged-{0}", "svc:legacy-batch-{0}", "vm-10-20-{0}", "printer-floor-{0}", "host:dr-site-{0}"];

    /// <summary>
    /// Unrelated alerts spread over the whole scenario, during faults too: on ordinary CIs, on shared
    /// platform CIs everything depends on, and on CIs the topology does not know. Never on a CI
    /// that is alerting in a fault at that time (the truth would be ambiguous, for any engine).
    /// </summary>
    private void AddNoise(long end)
    {
        int count = (int)Math.Round(_options.NoiseAlertsPerHour * (end - _start) / (60.0 * Minute));
        var platform = _platform;
        var ordinary = _topology.Document.Cis.Where(c => _topology.RoleOf(c.Id) is not CiRole.BusinessService).Select(c => c.Id).ToList();
        for (int i = 0; i < count; i++)
        {
            long fire = _start + (2 * Minute) + (long)(_rng.NextDouble() * (end - _start - (5 * Minute)));
            long resolve = fire + (long)(Uniform(1, 25) * Minute);
            double x = _rng.NextDouble();
            for (int attempt = 0; attempt < 10; attempt++)
            {
                if (x < _options.UnknownCiNoiseShare)
                {
                    string ci = string.Format(CultureInfo.InvariantCulture, Pick(UnknownCiPatterns), _rng.Next(1, 400));
                    if (!_topology.CiById.ContainsKey(ci) && EmitAlert(ci, null, false, null, NoiseKind.UnknownCi, null, fire, resolve, Pick(NoiseChecks)))
                    {
                        break;
                    }

                    continue;
                }

                bool onPlatform = x < _options.UnknownCiNoiseShare + _options.PlatformNoiseShare && platform.Count > 0;
                string target = onPlatform ? Pick(platform) : Pick(ordinary);
                if (_windows.Any(w => w.Cis.Contains(target) && w.Start - (10 * Minute) < resolve && fire < w.End + (10 * Minute)))
                {
                    continue;
                }

                var role = _topology.RoleOf(target);
                // A third of the noise looks like a fault symptom (latency on one service for a while).
                string? check = Chance(0.3) ? FreeCheck(target, role, rootCheck: false) : Pick(NoiseChecks);
                if (check is not null && EmitAlert(target, role, false, null, onPlatform ? NoiseKind.Platform : NoiseKind.Random, null, fire, resolve, check))
                {
                    break;
                }
            }
        }
    }

    private string EmitChange(string ci, long ts, FaultKind kind)
    {
        string id = NextChangeId();
        string description = kind switch
        {
            FaultKind.HostFailure => "apply OS security patches and reboot",
            FaultKind.DatastoreFailure => Pick(new[] { "schema migration", "raise max_connections", "minor version upgrade" }),
            FaultKind.PlatformFailure => Pick(new[] { "update configuration", "firmware upgrade", "rotate certificates" }),
            _ => string.Create(CultureInfo.InvariantCulture, $"deploy {ci[(ci.IndexOf(':', StringComparison.Ordinal) + 1)..]} v{_rng.Next(1, 4)}.{_rng.Next(0, 30)}.{_rng.Next(0, 10)}"),
        };
        _records.Add(new TelemetryRecord(ts, TelemetryKind.Change, ci, ChangeId: id, Description: description));
        return id;
    }

    /// <summary>Routine changes that cause nothing: most changes in a real change calendar.</summary>
    private void AddBackgroundChanges(long end)
    {
        var cis = _topology.Document.Cis.Where(c => _topology.RoleOf(c.Id) is not CiRole.BusinessService).Select(c => c.Id).ToList();
        int count = 1 + (_options.Faults / 2);
        for (int i = 0; i < count; i++)
        {
            var ci = Pick(cis);
            EmitChange(ci, _start + (long)(_rng.NextDouble() * (end - _start)), _topology.RoleOf(ci) is CiRole.Host or CiRole.Node ? FaultKind.HostFailure : FaultKind.ServiceFailure);
        }
    }
}
