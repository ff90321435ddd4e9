using ItOpsStream.Models.Anomaly;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ItOpsStream.Models.Training;

/// <summary>
/// A causal anomaly detector over one CI's metric vector (the multivariate counterpart of
/// <see cref="IStreamingDetector"/>): same calibration, same [0, 1] score, same threading rules.
/// </summary>
public interface IMultivariateDetector
{
    string Name { get; }

    /// <summary>Metric names, in the order of the vector.</summary>
    IReadOnlyList<string> Metrics { get; }

    /// <summary>Consumes one vector (in <see cref="Metrics"/> order) and returns its anomaly score in [0, 1].</summary>
    double Score(long timestampMs, ReadOnlySpan<float> vector);
}

/// <summary>Scores a CI's metric vectors with a trained <see cref="PcaModel"/>; the reconstruction error is calibrated online.</summary>
/// <remarks>
/// One instance per CI (its calibration is the CI's own). Single-writer. Any number of detectors may
/// share one <see cref="PcaScorer"/> (it is immutable): the engine keeps one detector per CI.
/// </remarks>
public sealed class PcaDetector : IMultivariateDetector
{
    private readonly PcaScorer _scorer;
    private readonly TailCalibrator _calibrator;
    private ScoreShaper _shaper;

    /// <summary>A detector with a scorer of its own.</summary>
    public PcaDetector(PcaModel model, CalibrationOptions? calibration = null)
        : this(model, model.CreateScorer(), calibration)
    {
    }

    /// <summary>A detector using <paramref name="scorer"/> (created by <paramref name="model"/>), possibly shared with other detectors.</summary>
    /// <remarks>With <see cref="CalibrationOptions.RestPoints"/> 0 the score is the one before the rest period, as alert hysteresis wants it.</remarks>
    public PcaDetector(PcaModel model, PcaScorer scorer, CalibrationOptions? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(scorer);
        calibration ??= CalibrationOptions.Default;
        calibration.Validate();
        if (scorer.Dimensions != model.Info.Metrics.Count)
        {
            throw new ArgumentException($"the scorer takes {scorer.Dimensions} metrics, the model {model.Info.Metrics.Count}", nameof(scorer));
        }

        Metrics = model.Info.Metrics;
        _scorer = scorer;
        _calibrator = new TailCalibrator(calibration);
        _shaper = new ScoreShaper(calibration);
    }

    public string Name => "pca";

    public IReadOnlyList<string> Metrics { get; }

    public double Score(long timestampMs, ReadOnlySpan<float> vector)
    {
        if (vector.Length != Metrics.Count)
        {
            throw new ArgumentException($"expected {Metrics.Count} metrics, got {vector.Length}", nameof(vector));
        }

        foreach (var v in vector)
        {
            if (!float.IsFinite(v))
            {
                return 0;
            }
        }

        var raw = _scorer.Score(vector);
        var p = _calibrator.TailProbability(raw);
        _calibrator.Observe(raw);
        return _shaper.Rest(_shaper.Surprise(p));
    }
}

/// <summary>
/// An ONNX window model loaded into an ONNX Runtime session (single-threaded intra- and inter-op),
/// checked against the contract of <see cref="OnnxWindowDetector"/>. One session can serve many
/// series' detectors; dispose it after the last of them.
/// </summary>
public sealed class OnnxWindowModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly int[] _shape;

    /// <exception cref="InvalidDataException">Not a loadable ONNX model, or not one float input of a fixed window size.</exception>
    public OnnxWindowModel(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        try
        {
            _session = new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"not a loadable ONNX model: {ex.Message}", ex);
        }

        if (_session.InputMetadata.Count != 1)
        {
            _session.Dispose();
            throw new InvalidDataException($"the ONNX model must have exactly one input, it has {_session.InputMetadata.Count}");
        }

        var (name, meta) = _session.InputMetadata.First();
        var dims = meta.Dimensions;
        var window = dims.Length switch
        {
            1 => dims[0],
            2 when dims[0] is 1 or -1 => dims[1],
            _ => -1,
        };
        if (meta.ElementType != typeof(float) || window < 2)
        {
            _session.Dispose();
            throw new InvalidDataException($"the ONNX input '{name}' must be float [1, W] or [W] with a fixed W ≥ 2");
        }

        _inputName = name;
        _shape = dims.Length == 1 ? [window] : [1, window];
        Window = window;
    }

    /// <summary>W: the values the model sees per point.</summary>
    public int Window { get; }

    /// <summary>Runs the model on one window (W values, oldest first); the raw statistic (first element of the first output).</summary>
    /// <remarks>ONNX Runtime sessions may run concurrently, but this one is sized for one thread: share it within a thread.</remarks>
    public double Run(float[] window)
    {
        var tensor = new DenseTensor<float>(window, _shape);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, tensor)]);
        return results[0].AsEnumerable<float>().First();
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>
/// Scores a univariate series with an ONNX model trained elsewhere, behind <see cref="IStreamingDetector"/>.
/// </summary>
/// <remarks>
/// Model contract: one float input of shape [1, W] or [W] (W fixed), receiving the last W values,
/// oldest first, as they are (the model owns its normalization); the first element of the first
/// output is a raw anomaly statistic, larger = more anomalous. The statistic is calibrated online
/// like every other detector's. Points before the window is full score 0. One ONNX Runtime call per
/// point: expect tens of thousands of points per second, not millions.
/// </remarks>
public sealed class OnnxWindowDetector : IStreamingDetector, IDisposable
{
    private readonly OnnxWindowModel _model;
    private readonly bool _ownsModel;
    private readonly float[] _ring;
    private readonly float[] _window;
    private readonly TailCalibrator _calibrator;
    private ScoreShaper _shaper;
    private int _head;
    private long _count;

    /// <summary>A detector with a session of its own (disposed with it).</summary>
    /// <exception cref="InvalidDataException">The model does not have one float input of a fixed window size.</exception>
    public OnnxWindowDetector(byte[] model, CalibrationOptions? calibration = null)
        : this(new OnnxWindowModel(model), calibration, ownsModel: true)
    {
    }

    /// <summary>A detector on a shared session; disposing the detector leaves the session open.</summary>
    /// <remarks>With <see cref="CalibrationOptions.RestPoints"/> 0 the score is the one before the rest period, as alert hysteresis wants it.</remarks>
    public OnnxWindowDetector(OnnxWindowModel model, CalibrationOptions? calibration = null)
        : this(model, calibration, ownsModel: false)
    {
    }

    private OnnxWindowDetector(OnnxWindowModel model, CalibrationOptions? calibration, bool ownsModel)
    {
        ArgumentNullException.ThrowIfNull(model);
        calibration ??= CalibrationOptions.Default;
        try
        {
            calibration.Validate();
        }
        catch
        {
            if (ownsModel)
            {
                model.Dispose();
            }

            throw;
        }

        _model = model;
        _ownsModel = ownsModel;
        Window = model.Window;
        _ring = new float[2 * Window];
        _window = new float[Window];
        _calibrator = new TailCalibrator(calibration);
        _shaper = new ScoreShaper(calibration);
    }

    public string Name => "onnx";

    /// <summary>W: the values the model sees per point.</summary>
    public int Window { get; }

    public double Score(long timestampMs, double value)
    {
        if (!double.IsFinite(value))
        {
            return 0;
        }

        var w = Window;
        _ring[_head] = (float)value;
        _ring[_head + w] = (float)value;
        _head = _head + 1 == w ? 0 : _head + 1;
        if (++_count < w)
        {
            return 0;
        }

        _ring.AsSpan(_head, w).CopyTo(_window);
        var raw = _model.Run(_window);
        if (!double.IsFinite(raw))
        {
            return 0;
        }

        var stat = Math.Max(0, raw);
        var p = _calibrator.TailProbability(stat);
        _calibrator.Observe(stat);
        return _shaper.Rest(_shaper.Surprise(p));
    }

    public void Dispose()
    {
        if (_ownsModel)
        {
            _model.Dispose();
        }
    }
}
