namespace ItOpsStream.Models.Tests.Anomaly;

public sealed class TailCalibratorTests
{
    [Fact]
    public void TailProbability_OfGaussianAbsValues_IsCloseToTheTrueTail()
    {
        var calibrator = new TailCalibrator(CalibrationOptions.Default);
        foreach (var v in SeriesGen.Noise(20_000, 0, 1, seed: 11))
        {
            calibrator.Observe(Math.Abs(v));
        }

        // P(|Z| ≥ 2) = 0.0455: the fitted tail is within a small factor. P(|Z| ≥ 3) = 0.0027, but excursions that
        // peak at 70 % of that (2.1) recur at about 3 % of points, and a value is never rarer than a similar
        // excursion was: conservative by design. Far out, the fitted tail rules again: P(|Z| ≥ 6) = 2e-9.
        Assert.InRange(calibrator.TailProbability(2), 0.03, 0.07);
        Assert.InRange(calibrator.TailProbability(3), 0.0015, 0.04);
        Assert.InRange(calibrator.TailProbability(6), 1e-12, 1e-4);
    }

    [Fact]
    public void TailProbability_IsMonotoneAndPositiveFarBeyondTheData()
    {
        var calibrator = new TailCalibrator(CalibrationOptions.Default);
        foreach (var v in SeriesGen.Noise(5000, 0, 1, seed: 12))
        {
            calibrator.Observe(Math.Abs(v));
        }

        var previous = 1.0;
        for (var s = 0.1; s < 50; s *= 1.3)
        {
            var p = calibrator.TailProbability(s);
            Assert.True(p <= previous, $"p({s}) = {p} > {previous}");
            Assert.True(p > 0);
            previous = p;
        }
    }

    [Fact]
    public void RegularSpikes_OverAFlatLine_AreAboutAsLikelyAsTheyRecur()
    {
        // 1 point in 100 is a spike of the same size; the rest are zeros (ties that give the fitted tail no spread,
        // which alone would call every spike a one-in-a-million event).
        var calibrator = new TailCalibrator(CalibrationOptions.Default);
        for (var i = 0; i < 4000; i++)
        {
            calibrator.Observe(i % 100 == 99 ? 200 : 0);
        }

        Assert.InRange(calibrator.TailProbability(200), 0.002, 0.02);
        // A spike far larger than any before is still extrapolated as much rarer.
        Assert.True(calibrator.TailProbability(2000) < 1e-4);
    }

    [Fact]
    public void AFewEarlierAnomalies_DoNotMakeTheNextOneOrdinary()
    {
        var calibrator = new TailCalibrator(CalibrationOptions.Default);
        var noise = SeriesGen.Noise(4000, 0, 1, seed: 13).ToArray();
        for (var i = 0; i < noise.Length; i++)
        {
            // Three anomalies of 50 sigma, each lasting 20 points: three excursions, fewer than it takes to be regular.
            calibrator.Observe(i % 1000 is >= 500 and < 520 && i < 3000 ? 50 : Math.Abs(noise[i]));
        }

        Assert.True(calibrator.TailProbability(50) < 1e-4, $"p = {calibrator.TailProbability(50)}");
    }

    [Fact]
    public void TailProbability_WhileWarmingUp_IsOne()
    {
        var calibrator = new TailCalibrator(CalibrationOptions.Default);
        for (var i = 0; i < CalibrationOptions.Default.WarmupPoints - 1; i++)
        {
            calibrator.Observe(1);
        }

        Assert.Equal(1, calibrator.TailProbability(100));
    }
}

public sealed class FftTests
{
    [Fact]
    public void Forward_MatchesNaiveDft()
    {
        const int n = 64;
        var rng = new Random(13);
        var re = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var expectedRe = new double[n];
        var expectedIm = new double[n];
        for (var k = 0; k < n; k++)
        {
            for (var t = 0; t < n; t++)
            {
                var a = -2 * Math.PI * k * t / n;
                expectedRe[k] += (re[t] * Math.Cos(a)) - (im[t] * Math.Sin(a));
                expectedIm[k] += (re[t] * Math.Sin(a)) + (im[t] * Math.Cos(a));
            }
        }

        new Fft(n).Forward(re, im);
        for (var k = 0; k < n; k++)
        {
            Assert.Equal(expectedRe[k], re[k], 9);
            Assert.Equal(expectedIm[k], im[k], 9);
        }
    }
}

public sealed class RealFftTests
{
    [Fact]
    public void Forward_MatchesComplexFftOfRealInput()
    {
        const int n = 64;
        var rng = new Random(14);
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var re = (double[])x.Clone();
        var im = new double[n];
        new Fft(n).Forward(re, im);

        var hr = new double[(n / 2) + 1];
        var hi = new double[(n / 2) + 1];
        new RealFft(n).Forward(x, hr, hi);
        for (var k = 0; k <= n / 2; k++)
        {
            Assert.Equal(re[k], hr[k], 9);
            Assert.Equal(im[k], hi[k], 9);
        }
    }

    [Fact]
    public void Inverse_OfForward_GivesTheSignalScaledByHalfN()
    {
        const int n = 64;
        var rng = new Random(15);
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var fft = new RealFft(n);
        var hr = new double[(n / 2) + 1];
        var hi = new double[(n / 2) + 1];
        fft.Forward(x, hr, hi);
        var back = new double[n];
        fft.Inverse(hr, hi, back);
        for (var t = 0; t < n; t++)
        {
            Assert.Equal(x[t] * n / 2, back[t], 9);
        }
    }
}

public sealed class AnomalyAlertStateTests
{
    [Fact]
    public void Observe_OpensAtOpenScore_GradesSeverityByPeak_ResolvesAfterTenNormalScores()
    {
        var state = new AnomalyAlertState();
        Assert.Equal(AnomalyTransition.None, state.Observe(0.59));
        Assert.Equal(AnomalyTransition.Open, state.Observe(0.65));
        Assert.Equal(AnomalySeverity.Warning, state.Severity);
        Assert.Equal(AnomalyTransition.None, state.Observe(0.95));
        Assert.Equal(AnomalySeverity.Critical, state.Severity);
        for (var i = 0; i < 9; i++)
        {
            Assert.Equal(AnomalyTransition.None, state.Observe(0.1));
        }

        Assert.Equal(AnomalyTransition.None, state.Observe(0.4));
        for (var i = 0; i < 9; i++)
        {
            Assert.Equal(AnomalyTransition.None, state.Observe(0.1));
        }

        Assert.Equal(AnomalyTransition.Resolve, state.Observe(0.1));
        Assert.False(state.IsOpen);
    }

    [Fact]
    public void Constructor_CloseScoreNotBelowOpenScore_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyAlertState(AnomalyTrackerOptions.Default with { CloseScore = 0.7 }));
    }
}
