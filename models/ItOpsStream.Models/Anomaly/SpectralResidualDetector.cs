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

    /// <summary>Width of the average filter over the log amplitude spectrum.</summary>
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

        if (AverageFilter < 1 || AverageFilter > WindowSize / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(AverageFilter), AverageFilter, "must be in [1, WindowSize/2]");
        }

        DetectorValidation.AtLeast(JudgementWindow, 2, nameof(JudgementWindow));
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
/// Since exp(L − AL + iP) = F·exp(−AL), no phase is computed, and since only one output index is
/// needed, the inverse is a single O(N) sum. The statistic is the saliency's relative excess over
/// the mean of the previous saliencies, calibrated online. O(N log N) per point with N = 64.
/// </remarks>
internal sealed class SpectralResidualDetector : IStreamingDetector
{
    private readonly int _n;
    private readonly int _history;
    private readonly int _extend;
    private readonly int _filter;
    private readonly Fft _fft;
    private readonly double[] _ring;
    private readonly double[] _re;
    private readonly double[] _im;
    private readonly double[] _logAmp;
    private readonly double[] _outCos;
    private readonly double[] _outSin;
    private readonly double[] _saliencies;
    private readonly TailCalibrator _calibrator;
    private ScoreShaper _shaper;
    private int _ringHead;
    private long _count;
    private double _saliencySum;
    private int _saliencyHead;
    private int _saliencyCount;

    public SpectralResidualDetector(SpectralResidualOptions? options = null)
    {
        options ??= SpectralResidualOptions.Default;
        options.Validate();
        _n = options.WindowSize;
        _extend = options.ExtendPoints;
        _history = _n - _extend;
        _filter = options.AverageFilter;
        _fft = new Fft(_n);
        _ring = new double[_history];
        _re = new double[_n];
        _im = new double[_n];
        _logAmp = new double[_n];
        _saliencies = new double[options.JudgementWindow];
        _calibrator = new TailCalibrator(options.Calibration);
        _shaper = new ScoreShaper(options.Calibration);

        // Inverse DFT at the newest real point t = history − 1: e^{+2πi kt/N}.
        _outCos = new double[_n];
        _outSin = new double[_n];
        var t = _history - 1;
        for (var k = 0; k < _n; k++)
        {
            var angle = 2 * Math.PI * ((long)k * t % _n) / _n;
            _outCos[k] = Math.Cos(angle);
            _outSin[k] = Math.Sin(angle);
        }
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
        _ringHead = _ringHead + 1 == _history ? 0 : _ringHead + 1;
        _count++;
        if (_count < _history)
        {
            return 1;
        }

        var saliency = Saliency();
        var p = 1.0;
        if (_saliencyCount == _saliencies.Length)
        {
            var mean = _saliencySum / _saliencyCount;
            var stat = Math.Max(0, (saliency - mean) / (mean + 1e-12));
            p = _calibrator.TailProbability(stat);
            _calibrator.Observe(stat);
            _saliencySum -= _saliencies[_saliencyHead];
        }
        else
        {
            _saliencyCount++;
        }

        _saliencies[_saliencyHead] = saliency;
        _saliencySum += saliency;
        _saliencyHead = _saliencyHead + 1 == _saliencies.Length ? 0 : _saliencyHead + 1;
        return p;
    }

    private double Saliency()
    {
        var re = _re;
        var im = _im;
        var h = _history;

        // Oldest to newest; the mean is removed so the DC term does not dominate the amplitude spectrum.
        var mean = 0.0;
        for (var i = 0; i < h; i++)
        {
            var v = _ring[(_ringHead + i) % h];
            re[i] = v;
            mean += v;
        }

        mean /= h;
        for (var i = 0; i < h; i++)
        {
            re[i] -= mean;
        }

        // Extrapolation: the mean gradient of the newest point against the m before it, continued m steps.
        var m = _extend;
        var last = re[h - 1];
        var gradient = 0.0;
        for (var i = 1; i <= m; i++)
        {
            gradient += (last - re[h - 1 - i]) / i;
        }

        gradient /= m;
        var next = re[h - m] + (gradient * m);
        for (var i = h; i < _n; i++)
        {
            re[i] = next;
        }

        Array.Clear(im);
        _fft.Forward(re, im);

        var power = 0.0;
        for (var k = 0; k < _n; k++)
        {
            var a2 = (re[k] * re[k]) + (im[k] * im[k]);
            _logAmp[k] = a2;
            power += a2;
        }

        // A floor relative to the spectrum's power keeps amplitude ratios bounded where bins are (nearly) empty.
        var floor = (1e-12 * power / _n) + 1e-300;
        for (var k = 0; k < _n; k++)
        {
            _logAmp[k] = 0.5 * Math.Log(_logAmp[k] + floor);
        }

        // Trailing average filter of width q over the log amplitudes (as SrCnn), then F·exp(−AL) at one index.
        double windowSum = 0, outRe = 0, outIm = 0;
        var q = _filter;
        for (var k = 0; k < _n; k++)
        {
            windowSum += _logAmp[k];
            if (k >= q)
            {
                windowSum -= _logAmp[k - q];
            }

            var average = windowSum / Math.Min(k + 1, q);
            var gain = Math.Exp(-average);
            var yr = re[k] * gain;
            var yi = im[k] * gain;
            outRe += (yr * _outCos[k]) - (yi * _outSin[k]);
            outIm += (yr * _outSin[k]) + (yi * _outCos[k]);
        }

        return Math.Sqrt((outRe * outRe) + (outIm * outIm)) / _n;
    }
}
