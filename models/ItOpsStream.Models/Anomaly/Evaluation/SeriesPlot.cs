using ScottPlot;

namespace ItOpsStream.Models.Anomaly.Evaluation;

/// <summary>
/// Renders one evaluated series as a PNG: the value (top), the anomaly score with the threshold
/// (bottom), NAB windows as shaded bands, labelled anomalies as red lines and detections as markers.
/// </summary>
public static class SeriesPlot
{
    /// <summary>PNG bytes of the plot; rendering is headless (SkiaSharp) and touches no file.</summary>
    public static byte[] RenderPng(SeriesEvaluation evaluation, string detector, double threshold, int width = 1400, int height = 700)
    {
        var series = evaluation.Series;
        var x = series.Timestamps.Select(t => DateTimeOffset.FromUnixTimeMilliseconds(t).UtcDateTime.ToOADate()).ToArray();

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var top = multiplot.GetPlot(0);
        var bottom = multiplot.GetPlot(1);

        // A multivariate file: every metric, standardized (their units differ), markers on the first.
        var shown = evaluation.Multivariate is { } file
            ? file.Metrics.Select((m, i) => (Name: m, Values: Standardized(file.Columns[i]))).ToArray()
            : [(Name: "value", Values: series.Values)];
        Color[] palette = [Colors.SteelBlue, Colors.SeaGreen, Colors.Purple, Colors.DarkGoldenRod, Colors.Teal, Colors.Brown];
        for (var i = 0; i < shown.Length; i++)
        {
            var values = top.Add.ScatterLine(x, shown[i].Values);
            values.LineWidth = 1;
            values.Color = palette[i % palette.Length];
            values.LegendText = shown[i].Name;
        }

        top.Title($"{series.Name} — detector {detector}");
        top.Axes.DateTimeTicksBottom();
        top.YLabel(evaluation.Multivariate is null ? "value" : "standardized value");

        var scores = bottom.Add.ScatterLine(x, evaluation.Scores);
        scores.LineWidth = 1;
        scores.Color = Colors.DarkOrange;
        scores.LegendText = "anomaly score";
        bottom.Axes.DateTimeTicksBottom();
        bottom.Axes.SetLimitsY(0, 1.05);
        bottom.YLabel("score");
        var line = bottom.Add.HorizontalLine(threshold);
        line.LinePattern = LinePattern.Dashed;
        line.Color = Colors.Gray;
        line.LegendText = $"threshold {threshold:0.###}";

        foreach (var plot in new[] { top, bottom })
        {
            var probation = NabScorer.ProbationLength(series.Length);
            if (probation > 0 && probation < x.Length)
            {
                var p = plot.Add.HorizontalSpan(x[0], x[probation]);
                p.FillColor = Colors.Gray.WithAlpha(0.12);
                p.LineColor = Colors.Transparent;
            }

            foreach (var w in evaluation.Windows)
            {
                var span = plot.Add.HorizontalSpan(x[w.Start], x[w.End]);
                span.FillColor = Colors.Red.WithAlpha(0.12);
                span.LineColor = Colors.Transparent;
            }

            foreach (var onset in series.AnomalyOnsets())
            {
                var v = plot.Add.VerticalLine(x[onset]);
                v.Color = Colors.Red;
                v.LineWidth = 1;
            }
        }

        var detected = Enumerable.Range(0, x.Length).Where(i => evaluation.Scores[i] >= threshold && (i == 0 || evaluation.Scores[i - 1] < threshold)).ToArray();
        if (detected.Length > 0)
        {
            var marks = top.Add.Markers(detected.Select(i => x[i]).ToArray(), detected.Select(i => shown[0].Values[i]).ToArray());
            marks.MarkerShape = MarkerShape.FilledTriangleDown;
            marks.MarkerSize = 10;
            marks.Color = Colors.Black;
            marks.LegendText = "detection";
        }

        top.ShowLegend(Alignment.UpperLeft);
        bottom.ShowLegend(Alignment.UpperLeft);
        multiplot.SharedAxes.ShareX([top, bottom]);
        using var image = multiplot.Render(width, height);
        return image.GetImageBytes(ImageFormat.Png);
    }

    private static double[] Standardized(double[] values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return values;
        }

        var mean = finite.Average();
        var sd = Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / finite.Length);
        return values.Select(v => sd > 0 ? (v - mean) / sd : v - mean).ToArray();
    }
}
