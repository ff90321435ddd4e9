namespace ItOpsStream.Models.Anomaly;

/// <summary>Creates streaming detectors by name; the names are those of <c>itopsstream detect --detector</c>.</summary>
public static class DetectorFactory
{
    public const string Default = "default";
    public const string Ensemble = "ensemble";
    public const string Robust = "robust";
    public const string Seasonal = "seasonal";
    public const string Spectral = "spectral";
    public const string ChangePoint = "changepoint";

    /// <summary>Every accepted name with a one-line description, in help order.</summary>
    public static IReadOnlyList<(string Name, string Description)> Names { get; } =
    [
        (Default, "seasonal-baseline residual at the series' range resolution and its sustained means, novelties of the value and of its smoothed level, daily recurrence (CUSUM re-levelling), calibrated; fast"),
        (Ensemble, "default + CUSUM and spectral residual members, min-p combined; about 10x slower"),
        (Robust, "residual z-score against a Huber-clipped EWMA level and scale"),
        (Seasonal, "residual against daily/weekly profiles learnt online, robust fallback"),
        (Spectral, "spectral residual saliency (Ren et al. KDD 2019, as SrCnn)"),
        (ChangePoint, "two-sided CUSUM of the seasonal baseline's residuals"),
    ];

    /// <summary>True if <paramref name="name"/> is a known detector name (case-insensitive).</summary>
    public static bool IsKnown(string name) => Names.Any(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>A new detector, with default parameters, for one series.</summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public static IStreamingDetector Create(string name) => name.ToLowerInvariant() switch
    {
        Default => new EnsembleDetector(),
        Ensemble => new EnsembleDetector(EnsembleOptions.WithSpectral, Ensemble),
        Robust => new RobustBaselineDetector(),
        Seasonal => new SeasonalBaselineDetector(),
        Spectral => new SpectralResidualDetector(),
        ChangePoint => new ChangePointDetector(),
        _ => throw new ArgumentException($"unknown detector '{name}' (known: {string.Join(", ", Names.Select(n => n.Name))})", nameof(name)),
    };
}
