namespace ItOpsStream.Models.Anomaly;

/// <summary>Parameters of the spectral residual detector (<c>spectral</c>).</summary>
public sealed record SpectralResidualOptions
{
    /// <summary>Defaults as ML.NET's SrCnn: 64-point transform, 5 extrapolated points, filter 3, judgement window 21.</summary>
    public static SpectralResidualOptions Default { get; } = new();

    /// <summary>Transform size (power of two): the last <c>WindowSize − ExtendPoints</c> values plus the extrapolated ones.</summary>
    public int WindowSize { get; init; } = 64;

    /// <summary>Points extrapolated after the newest value so that it is not at the edge of the window (SR paper §3.2).</summary>
    public int ExtendPoints { get; init; } = 5;

    /// <summary>Width of the centred average filter over the log amplitude spectrum (odd).</summary>
    public int AverageFilter { get; init; } = 3;

    /// <summary>Number of past saliencies whose mean the current saliency is compared with.</summary>
    public int JudgementWindow { get; init; } = 21;

    /// <summary>How the saliency ratio becomes a calibrated score.</summary>
    public CalibrationOptions Calibration { get; init; } = CalibrationOptions.Default;

    internal void Validate()
    {
        if (WindowSize is < 16 or > 4096 || (WindowSize & (WindowSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WindowSize), WindowSize, "must be a power of two in [16, 4096]");
        }

        if (ExtendPoints < 1 || ExtendPoints > WindowSize / 4)
        {
            throw new ArgumentOutOfRangeException(nameof(ExtendPoints), ExtendPoints, "must be in [1, WindowSize/4]");
        }

        if (AverageFilter < 1 || AverageFilter > WindowSize / 2 || AverageFilter % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AverageFilter), AverageFilter, "must be odd and in [1, WindowSize/2]");
        }

        if (JudgementWindow < 2 || JudgementWindow > WindowSize - ExtendPoints - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(JudgementWindow), JudgementWindow, "must be in [2, WindowSize − ExtendPoints − 1]");
        }
        Calibration.Validate();
    }
}

/// <summary>
/// Spectral residual (Ren et al., KDD 2019, "Time-Series Anomaly Detection Service at Microsoft"),
/// evaluated causally at the newest point of a sliding window.
/// </summary>
/// <remarks>
/// Per point: the window (newest value last, then extrapolated points as SrCnn does) is transformed;
/// the log amplitude minus its average-filtered version is the spectral residual; the saliency of the
/// newest point is the magnitude of the inverse transform of exp(residual + i·phase) at that index.
/// Since exp(L − AL + iP) = F·exp(−AL), no phase is computed. As SrCnn judges, the statistic is the
/// newest saliency's relative excess over the mean saliency of the <see cref="SpectralResidualOptions.JudgementWindow"/>
/// points before it in the same map, calibrated online. Two 64-point FFTs per point: O(N log N), N fixed.
/// </remarks>
internal sealed class SpectralResidualDetector : IStreamingDetector
{
    private readonly int _n;
    private readonly int _half;
    private readonly int _history;
    private readonly int _extend;
    private readonly int _filterHalf;
    private readonly int _judgement;
    private readonly RealFft _fft;

    // The ring holds every value twice (at i and i + history) so the window is always one contiguous span.
    private readonly double[] _ring;
    private readonly double[] _window;
    private readonly double[] _re;
    private readonly double[] _im;
    private readonly double[] _logAmp;
    private readonly double[] _saliency;
    private readonly TailCalibrator _calibrator;
    private ScoreShaper _shaper;
    private int _ringHead;
    private long _count;

    public SpectralResidualDetector(SpectralResidualOptions? options = null)
    {
        options ??= SpectralResidualOptions.Default;
        options.Validate();
        _n = options.WindowSize;
        _half = _n / 2;
        _extend = options.ExtendPoints;
        _history = _n - _extend;
        _filterHalf = options.AverageFilter / 2;
        _judgement = options.JudgementWindow;
        _fft = new RealFft(_n);
        _ring = new double[2 * _history];
        _window = new double[_n];
        _re = new double[_half + 1];
        _im = new double[_half + 1];
        _logAmp = new double[_half + 1];
        _saliency = new double[_n];
        _calibrator = new TailCalibrator(options.Calibration);
        _shaper = new ScoreShaper(options.Calibration);
    }

    public string Name => DetectorFactory.Spectral;

    public double Score(long timestampMs, double value)
    {
        if (!double.IsFinite(value))
        {
            return 0;
        }

        return _shaper.Rest(_shaper.Surprise(TailProbability(value)));
    }

    internal double TailProbability(double value)
    {
        _ring[_ringHead] = value;
        _ring[_ringHead + _history] = value;
        _ringHead = _ringHead + 1 == _history ? 0 : _ringHead + 1;
        _count++;
        if (_count < _history)
        {
            return 1;
        }

        var stat = SaliencyExcess();
        var p = _calibrator.TailProbability(stat);
        _calibrator.Observe(stat);
        return p;
    }

    private double SaliencyExcess()
    {
        var h = _history;
        var x = _window.AsSpan();

        // Oldest to newest; the mean is removed so the DC term does not dominate the amplitude spectrum.
        _ring.AsSpan(_ringHead, h).CopyTo(x);
        var mean = 0.0;
        for (var i = 0; i < h; i++)
        {
            mean += x[i];
        }

        mean /= h;
        for (var i = 0; i < h; i++)
        {
            x[i] -= mean;
        }

        // Extrapolation (SR paper §3.2) from the points before the newest one: the newest point is judged against the
        // continuation of what came before, rather than against an extension steered by itself (which, for a spike
        // at the newest point, overshoots and hides it).
        var m = _extend;
        var anchor = x[h - 2];
        var gradient = 0.0;
        for (var i = 1; i <= m; i++)
        {
            gradient += (anchor - x[h - 2 - i]) / i;
        }

        gradient /= m;
        for (var i = h; i < _n; i++)
        {
            x[i] = anchor + (gradient * (i - h + 2));
        }

        var re = _re;
        var im = _im;
        _fft.Forward(x, re, im);

        // Log amplitudes of bins 1…N/2 (the rest mirror them), with a floor relative to the spectrum's power so
        // that amplitude ratios stay bounded where bins are (nearly) empty.
        var half = _half;
        var power = 0.0;
        for (var k = 1; k <= half; k++)
        {
            var a2 = (re[k] * re[k]) + (im[k] * im[k]);
            _logAmp[k] = a2;
            power += a2;
        }

        var floor = (1e-12 * power / half) + 1e-300;
        for (var k = 1; k <= half; k++)
        {
            _logAmp[k] = 0.5 * Math.Log(_logAmp[k] + floor);
        }

        // Centred average filter over bins 1…N−1 (bin j > N/2 mirrors N − j; the empty DC bin is left out), then
        // Y = F·exp(−AL) = exp(R + iP). Y is Hermitian, so the saliency map |IFFT(Y)| comes from a real inverse.
        var q = _filterHalf;
        for (var k = 1; k <= half; k++)
        {
            var lo = Math.Max(1, k - q);
            var hi = k + q;
            var sum = 0.0;
            for (var j = lo; j <= hi; j++)
            {
                sum += _logAmp[j <= half ? j : _n - j];
            }

            var gain = Math.Exp(-sum / (hi - lo + 1));
            re[k] *= gain;
            im[k] *= gain;
        }

        re[0] = 0;
        im[0] = 0;
        im[half] = 0;
        _fft.Inverse(re, im, _saliency);

        // SrCnn's judgement: the newest point's saliency against the mean saliency of the points before it.
        var t = h - 1;
        var newest = Math.Abs(_saliency[t]);
        var before = 0.0;
        var from = Math.Max(0, t - _judgement);
        for (var i = from; i < t; i++)
        {
            before += Math.Abs(_saliency[i]);
        }

        before /= t - from;
        return Math.Max(0, (newest - before) / (before + 1e-12));
    }
}
