namespace ItOpsStream.Models.Tests.Anomaly;

/// <summary>What every streaming detector promises; one derived class per detector.</summary>
public abstract class DetectorContractTests
{
    private protected abstract IStreamingDetector Create();

    /// <summary>False for detectors that by design ignore isolated spikes (a change-point detector).</summary>
    private protected virtual bool FlagsSpikes => true;

    [Fact]
    public void Score_AlwaysLiesInUnitInterval()
    {
        var values = SeriesGen.Noise(3000, 100, 5, seed: 1);
        values[2000] = 1e9;
        values[2500] = -1e9;
        foreach (var s in SeriesGen.ScoreAll(Create(), values))
        {
            Assert.InRange(s, 0, 1);
        }
    }

    [Fact]
    public void Score_OfRowDependsOnEarlierRowsOnly()
    {
        var values = SeriesGen.Noise(1500, 10, 1, seed: 2);
        var full = SeriesGen.ScoreAll(Create(), values);
        var changed = (double[])values.Clone();
        for (var i = 1000; i < changed.Length; i++)
        {
            changed[i] = 1000 - changed[i];
        }

        var prefix = SeriesGen.ScoreAll(Create(), changed);
        Assert.Equal(full.AsSpan(0, 1000).ToArray(), prefix.AsSpan(0, 1000).ToArray());
    }

    [Fact]
    public void Score_SameInput_GivesIdenticalScores()
    {
        var values = SeriesGen.Daily(2000, 50, 10, 2, seed: 3);
        Assert.Equal(SeriesGen.ScoreAll(Create(), values), SeriesGen.ScoreAll(Create(), values));
    }

    [Fact]
    public void Score_LargeSpike_ScoresAboveEveryNormalPoint()
    {
        var values = SeriesGen.Noise(3000, 100, 5, seed: 4);
        values[2000] = 200;
        var scores = SeriesGen.ScoreAll(Create(), values);
        var normalMax = scores.Skip(500).Take(1400).Max();
        if (!FlagsSpikes)
        {
            Assert.True(scores.Skip(2000).Take(5).Max() < 0.5, "a single spike is not a change");
            return;
        }

        Assert.True(scores[2000] > normalMax, $"spike {scores[2000]:0.###} vs normal max {normalMax:0.###}");
        Assert.True(scores[2000] >= 0.5, $"spike scored {scores[2000]:0.###}");
    }

    [Fact]
    public void Score_NonFiniteValue_ScoresZeroAndLeavesStateUnchanged()
    {
        var values = SeriesGen.Noise(1200, 10, 1, seed: 5);
        var plain = SeriesGen.ScoreAll(Create(), values);
        var detector = Create();
        var withGap = new List<double>();
        for (var i = 0; i < values.Length; i++)
        {
            if (i == 700)
            {
                Assert.Equal(0, detector.Score(SeriesGen.Ts(i), double.NaN));
            }

            withGap.Add(detector.Score(SeriesGen.Ts(i), values[i]));
        }

        Assert.Equal(plain, withGap);
    }

    [Fact]
    public void Score_FlatSeries_StaysZeroUntilItMoves()
    {
        var detector = Create();
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(0, detector.Score(SeriesGen.Ts(i), 42));
        }

        Assert.True(detector.Score(SeriesGen.Ts(1000), 50) > 0.5);
    }
}

public sealed class EnsembleDetectorTests : DetectorContractTests
{
    private protected override IStreamingDetector Create() => DetectorFactory.Create("default");
}

public sealed class DefaultDetectorSeasonalTests
{
    [Fact]
    public void Score_JumpInCleanDailyPattern_ScoresHighOnceTheProfileHasTakenOver()
    {
        // A square daily wave (20 by night, 80 by day) with little noise; on day 10 the day level jumps to 120.
        var rng = new Random(9);
        var values = new double[288 * 14];
        for (var i = 0; i < values.Length; i++)
        {
            var day = i % 288 >= 144;
            values[i] = (day ? 80 : 20) + (rng.NextDouble() - 0.5) + (day && i / 288 == 10 ? 40 : 0);
        }

        var scores = SeriesGen.ScoreAll(DetectorFactory.Create("default"), values);
        var onset = (288 * 10) + 144;
        // p ≤ 1e-7 (the calibration keeps the residuals of the days before the profile took over, so not 1e-9).
        Assert.True(scores[onset] >= 0.7, $"jump scored {scores[onset]:0.###}");
        var before = scores.Skip(288 * 3).Take((288 * 7) - 1).Max();
        Assert.True(before < 0.5, $"normal days reached {before:0.###}");
    }
}

public sealed class EnsembleWithSpectralDetectorTests : DetectorContractTests
{
    private protected override IStreamingDetector Create() => DetectorFactory.Create("ensemble");
}

public sealed class RobustBaselineDetectorTests : DetectorContractTests
{
    private protected override IStreamingDetector Create() => DetectorFactory.Create("robust");
}

public sealed class SeasonalBaselineDetectorTests : DetectorContractTests
{
    private protected override IStreamingDetector Create() => DetectorFactory.Create("seasonal");

    [Fact]
    public void Score_NormalValueAtWrongHour_IsFoundBySeasonalButNotByRobust()
    {
        // A strong daily cycle; at day 5, 06:00 (the cycle's peak), the value sits at the daily minimum.
        var values = SeriesGen.Daily(288 * 7, 100, 30, 1, seed: 6);
        var at = (288 * 5) + 72;
        values[at] = 70;
        var seasonal = SeriesGen.ScoreAll(Create(), values);
        var robust = SeriesGen.ScoreAll(DetectorFactory.Create("robust"), values);
        Assert.True(seasonal[at] >= 0.5, $"seasonal scored {seasonal[at]:0.###}");
        Assert.True(robust[at] < 0.3, $"robust scored {robust[at]:0.###}");
    }
}

public sealed class SpectralResidualDetectorTests : DetectorContractTests
{
    private protected override IStreamingDetector Create() => DetectorFactory.Create("spectral");
}

public sealed class ChangePointDetectorTests : DetectorContractTests
{
    private protected override IStreamingDetector Create() => DetectorFactory.Create("changepoint");

    private protected override bool FlagsSpikes => false;

    [Fact]
    public void Score_SmallLevelShift_IsFlaggedWithinTwentyPoints()
    {
        // A 2σ shift: no single point is remarkable, their sum is.
        var values = SeriesGen.Noise(3000, 100, 5, seed: 7);
        for (var i = 2000; i < values.Length; i++)
        {
            values[i] += 10;
        }

        var scores = SeriesGen.ScoreAll(Create(), values);
        var normalMax = scores.Skip(500).Take(1400).Max();
        var afterShift = scores.Skip(2000).Take(20).Max();
        Assert.True(afterShift > normalMax, $"after shift {afterShift:0.###} vs normal max {normalMax:0.###}");
    }

    [Fact]
    public void Score_AfterLevelShift_FiresOnceNotForTheWholeNewLevel()
    {
        var values = SeriesGen.Noise(4000, 100, 5, seed: 8);
        for (var i = 2000; i < values.Length; i++)
        {
            values[i] += 40;
        }

        var scores = SeriesGen.ScoreAll(DetectorFactory.Create("default"), values);
        var onset = scores.Skip(2000).Take(10).Max();
        var later = scores.Skip(2300).Max();
        Assert.True(onset >= 0.5, $"onset scored {onset:0.###}");
        Assert.True(later < 0.5 * onset, $"later max {later:0.###} vs onset {onset:0.###}");
    }
}

public sealed class DetectorFactoryTests
{
    [Fact]
    public void Create_EveryListedName_ReturnsDetectorOfThatName()
    {
        foreach (var (name, _) in DetectorFactory.Names)
        {
            Assert.Equal(name, DetectorFactory.Create(name).Name);
        }

        Assert.Equal("ensemble", DetectorFactory.Create("ENSEMBLE").Name);
    }

    [Fact]
    public void Create_UnknownName_ThrowsWithTheKnownNames()
    {
        var ex = Assert.Throws<ArgumentException>(() => DetectorFactory.Create("nope"));
        Assert.Contains("robust", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_OutOfRange_AreRejectedAtConstruction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RobustBaselineDetector(new RobustBaselineOptions { LevelAlpha = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralResidualDetector(new SpectralResidualOptions { WindowSize = 100 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChangePointDetector(new ChangePointOptions { RestartAt = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleDetector(new EnsembleOptions { Calibration = new CalibrationOptions { TailFraction = 0.7 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleDetector(new EnsembleOptions { Sustained = [new SustainedScale(0, 3)] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleDetector(new EnsembleOptions { Sustained = [new SustainedScale(0.1, 0.5)] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleDetector(new EnsembleOptions { NoveltyLagPoints = 17 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleDetector(new EnsembleOptions { LevelNoveltyAlpha = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleDetector(new EnsembleOptions { PromotionWeight = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleDetector(new EnsembleOptions { HistoryExponent = -0.1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleDetector(new EnsembleOptions { HistoryPoints = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleDetector(new EnsembleOptions { HistoryMaxFactor = 0.5 }));
    }
}

public sealed class DefaultDetectorRangeTests
{
    [Fact]
    public void Score_SpikeRecurringDaily_StopsBeingAnomalousAfterTwoDays()
    {
        // Quiet noise with a nightly job: a spike at 02:00 (± 5 min) every day; on day 8 one at 14:00 instead.
        var values = SeriesGen.Noise(288 * 10, 10, 0.5, seed: 21);
        for (var day = 1; day < 10; day++)
        {
            values[(day * 288) + (day == 8 ? 168 : 24 + (day % 3) - 1)] += 20;
        }

        var scores = SeriesGen.ScoreAll(DetectorFactory.Create("default"), values);
        Assert.True(scores[(1 * 288) + 24] >= 0.5, $"first nightly spike scored {scores[(1 * 288) + 24]:0.###}");
        for (var day = 4; day < 10; day++)
        {
            if (day != 8)
            {
                var i = (day * 288) + 24 + (day % 3) - 1;
                Assert.True(scores[i] < 0.3, $"nightly spike of day {day} scored {scores[i]:0.###}");
            }
        }

        // The same spike in the afternoon is new at that hour; it is still a spike like the daily ones, so only higher.
        var nightly = Enumerable.Range(4, 6).Where(d => d != 8).Max(d => scores[(d * 288) + 24 + (d % 3) - 1]);
        var afternoon = scores[(8 * 288) + 168];
        Assert.True(afternoon >= 0.25 && afternoon >= nightly + 0.1, $"afternoon spike scored {afternoon:0.###}, nightly up to {nightly:0.###}");
    }

    [Fact]
    public void Score_DeviationBelowOnePartIn130OfTheRange_DoesNotCount()
    {
        // A quiet series (1000 ± 1) whose range is 1000 wide since one early burst; on day 3 a deviation of +6: six
        // sigmas, but under 1 % of the range, the resolution below which the default detector does not look.
        var values = SeriesGen.Noise(288 * 4, 1000, 1, seed: 22);
        values[100] = 2000;
        var at = (288 * 3) + 50;
        values[at] += 6;

        var scores = SeriesGen.ScoreAll(DetectorFactory.Create("default"), values);
        Assert.True(scores[at] < 0.2, $"deviation scored {scores[at]:0.###}");
        var fine = SeriesGen.ScoreAll(new EnsembleDetector(EnsembleOptions.Default with { Resolution = 0 }), values);
        Assert.True(fine[at] >= 0.4, $"without the resolution the deviation scored only {fine[at]:0.###}");
    }

    [Fact]
    public void Score_StepBeyondTheRange_ScoresAboveTheSameStepInsideIt()
    {
        // A series that spent its first day between 0 and 100 (a ramp), then noise at 50: a step of +40 stays inside
        // the range, a step of +40 from 80 leaves it.
        double[] Series(double level)
        {
            var values = SeriesGen.Noise(288 * 4, level, 2, seed: 24);
            for (var i = 0; i < 288; i++)
            {
                values[i] = 100.0 * i / 287;
            }

            values[288 * 3] += 40;
            return values;
        }

        var inside = SeriesGen.ScoreAll(DetectorFactory.Create("default"), Series(50))[288 * 3];
        var beyond = SeriesGen.ScoreAll(DetectorFactory.Create("default"), Series(80))[288 * 3];
        Assert.True(beyond >= inside + 0.15, $"beyond the range {beyond:0.###}, inside {inside:0.###}");
    }

    [Fact]
    public void Score_StaircaseToANewLow_IsANoveltyThoughNoStepLeavesTheRangeOfTheOneBefore()
    {
        // A first day ramping 0 → 100 sets the range, then noise at 10; on day 3 the series walks down in steps of 2 (2 %
        // of the range, under the 5 % tolerance) to -8 and stays there. Each step is within the tolerance of the step
        // before; against the range before the staircase, -6 is beyond it.
        var values = SeriesGen.Noise(288 * 4, 10, 0.5, seed: 27);
        for (var i = 0; i < 288; i++)
        {
            values[i] = 100.0 * i / 287;
        }

        var start = 288 * 3;
        for (var i = start; i < values.Length; i++)
        {
            values[i] = Math.Max(-8, 8 - (2 * (i - start)));
        }

        var lagged = SeriesGen.ScoreAll(DetectorFactory.Create("default"), values).Skip(start).Take(30).Max();
        var unlagged = SeriesGen.ScoreAll(new EnsembleDetector(EnsembleOptions.Default with { NoveltyLagPoints = 0 }), values).Skip(start).Take(30).Max();
        Assert.True(lagged >= unlagged + 0.15, $"staircase scored {lagged:0.###} with the novelty lag, {unlagged:0.###} without");
    }

    [Fact]
    public void Score_LevelSettlingBelowWhereItHasBeen_IsANoveltyInsideARangeWidenedBySpikes()
    {
        // Noise at 50 with spikes of ±30 every 25 points: the values' range is about 20..80 and large residuals are
        // routine. On day 4 the level slides down by 10 over 300 points and stays: every value is inside the range and close
        // to the one before, no residual stands out among the spikes', but the smoothed level has never been that low.
        var values = SeriesGen.Noise(288 * 6, 50, 3, seed: 28);
        for (var i = 0; i < values.Length; i += 25)
        {
            values[i] += (i / 25) % 2 == 0 ? 30 : -30;
        }

        var start = 288 * 4;
        for (var i = start; i < values.Length; i++)
        {
            values[i] -= Math.Min(10, 10.0 * (i - start) / 300);
        }

        var with = SeriesGen.ScoreAll(DetectorFactory.Create("default"), values);
        var without = SeriesGen.ScoreAll(new EnsembleDetector(EnsembleOptions.Default with { LevelNoveltyAlpha = 0 }), values);
        double Normal(double[] s) => s.Skip(288 * 2).Take(288 * 2).Max();
        double Slide(double[] s) => s.Skip(start).Take(500).Max();
        Assert.True(Slide(with) >= Normal(with) + 0.1, $"slide {Slide(with):0.###} vs normal max {Normal(with):0.###} with the level novelty");
        Assert.True(Slide(without) < Normal(without) + 0.05, $"slide {Slide(without):0.###} vs normal max {Normal(without):0.###} without it");
    }

    [Fact]
    public void Score_SpikesTurningDense_IsFlaggedThoughEachSpikeIsOrdinary()
    {
        // Noise with a spike of 8σ every 60 points, then for 200 points one every 4: no spike is new, their rate is.
        var values = SeriesGen.Noise(4000, 100, 5, seed: 25);
        for (var i = 300; i < 2000; i += 60)
        {
            values[i] += 40;
        }

        for (var i = 2000; i < 2200; i += 4)
        {
            values[i] += 40;
        }

        var scores = SeriesGen.ScoreAll(DetectorFactory.Create("default"), values);
        var normalMax = scores.Skip(1000).Take(990).Max();
        var dense = scores.Skip(2000).Take(200).Max();
        Assert.True(dense >= 0.3 && dense > normalMax + 0.1, $"dense spikes {dense:0.###} vs normal max {normalMax:0.###}");

        // The point residual alone does not see it (the smoothed level's new high, a level novelty, does too).
        var pointOnly = SeriesGen.ScoreAll(new EnsembleDetector(EnsembleOptions.Default with { Sustained = [], LevelNoveltyAlpha = 0 }), values);
        var pointDense = pointOnly.Skip(2000).Take(200).Max();
        Assert.True(pointDense < dense - 0.1, $"the point residual alone {pointDense:0.###}, the default {dense:0.###}");
    }

    [Fact]
    public void Score_SurgeOfModestValues_IsFlaggedWithinTwentyPoints()
    {
        // Counts around 4 (Poisson-like noise), then a surge where every point is 2–3σ high for 150 points.
        var values = SeriesGen.Noise(4000, 4, 2, seed: 26).Select(v => Math.Max(0, Math.Round(v))).ToArray();
        for (var i = 2000; i < 2150; i++)
        {
            values[i] += 5;
        }

        var scores = SeriesGen.ScoreAll(DetectorFactory.Create("default"), values);
        var normalMax = scores.Skip(1000).Take(990).Max();
        var surge = scores.Skip(2000).Take(150).Max();
        Assert.True(surge > normalMax + 0.1, $"surge {surge:0.###} vs normal max {normalMax:0.###}");
        var first = Enumerable.Range(2000, 150).First(i => scores[i] > normalMax + 0.1);
        Assert.True(first < 2020, $"first flagged {first - 2000} points into the surge");

        // The point residual alone does not tell the surge from the noise.
        var pointOnly = SeriesGen.ScoreAll(new EnsembleDetector(EnsembleOptions.Default with { Sustained = [] }), values);
        var pointNormal = pointOnly.Skip(1000).Take(990).Max();
        var pointSurge = pointOnly.Skip(2000).Take(150).Max();
        Assert.True(pointSurge < pointNormal + 0.1, $"point residual alone: surge {pointSurge:0.###} vs normal max {pointNormal:0.###}");
    }

    [Fact]
    public void Score_WhenTheDailyProfileTakesOver_TheLevelsResidualsLoseWeight()
    {
        // A daily cycle of ±20: the level predicts until the daily profile has seen its buckets and tracked 50 predictions
        // (on the second day), then the profile takes over and the level's residuals, the cycle itself, keep only PromotionWeight of their weight.
        var values = SeriesGen.Daily(288 * 5, 100, 20, 1, seed: 29);
        var halved = SeriesGen.ScoreAll(new EnsembleDetector(EnsembleOptions.Default with { PromotionWeight = 0.5 }), values);
        var kept = SeriesGen.ScoreAll(new EnsembleDetector(EnsembleOptions.Default with { PromotionWeight = 1 }), values);

        var firstDifference = Enumerable.Range(0, values.Length).First(i => halved[i] != kept[i]);
        Assert.InRange(firstDifference, 288 + 50, 288 * 2);
    }

    [Fact]
    public void Score_InRangeExcursionAfterALongHistory_IsCorrectedForIt_ANoveltyIsNot()
    {
        // 40 000 points of noise (σ 2) around 100, a dip of -60 at 25 000 widening the range; at 30 000 a spike of +8 (inside
        // the range), at 35 000 one of +16 (a new high). Only the first is one more of the many chances a long history had.
        var values = SeriesGen.Noise(40_000, 100, 2, seed: 30);
        values[25_000] -= 60;
        values[30_000] += 8;
        values[35_000] += 16;

        var corrected = SeriesGen.ScoreAll(DetectorFactory.Create("default"), values);
        var uncorrected = SeriesGen.ScoreAll(new EnsembleDetector(EnsembleOptions.Default with { HistoryExponent = 0 }), values);

        // (30 000 / 4 000)^0.25 ≈ 1.65: log10(1.65) / 10 ≈ 0.022 off the score.
        Assert.InRange(uncorrected[30_000] - corrected[30_000], 0.018, 0.026);
        Assert.Equal(uncorrected[35_000], corrected[35_000], 9);
        Assert.InRange(corrected[35_000], 0.3, 0.95);
    }
}
