namespace ItOpsStream.Models.Anomaly;

/// <summary>
/// FFT of N real values through one complex FFT of N/2 points (even samples as real parts, odd as
/// imaginary parts, then one split step), and its inverse for Hermitian spectra. Half the work of a
/// complex FFT of N points.
/// </summary>
internal sealed class RealFft
{
    private readonly int _m;
    private readonly Fft _fft;
    private readonly double[] _wr;
    private readonly double[] _wi;
    private readonly double[] _zr;
    private readonly double[] _zi;

    public RealFft(int n)
    {
        if (n < 4 || (n & (n - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "must be a power of two of at least 4");
        }

        _m = n / 2;
        _fft = new Fft(_m);
        _wr = new double[_m + 1];
        _wi = new double[_m + 1];
        for (var k = 0; k <= _m; k++)
        {
            _wr[k] = Math.Cos(2 * Math.PI * k / n);
            _wi[k] = -Math.Sin(2 * Math.PI * k / n);
        }

        _zr = new double[_m];
        _zi = new double[_m];
    }

    /// <summary>Bins 0…N/2 of the forward transform of <paramref name="x"/> (the others are their conjugates).</summary>
    public void Forward(ReadOnlySpan<double> x, Span<double> re, Span<double> im)
    {
        var m = _m;
        for (var j = 0; j < m; j++)
        {
            _zr[j] = x[2 * j];
            _zi[j] = x[(2 * j) + 1];
        }

        _fft.Forward(_zr, _zi);
        for (var k = 0; k <= m; k++)
        {
            var a = k == m ? 0 : k;
            var b = k == 0 ? 0 : m - k;
            double zr = _zr[a], zi = _zi[a], cr = _zr[b], ci = -_zi[b];
            var er = 0.5 * (zr + cr);
            var ei = 0.5 * (zi + ci);

            // O = (Z − conj(Z[m−k])) / 2i
            var or = 0.5 * (zi - ci);
            var oi = -0.5 * (zr - cr);
            re[k] = er + (_wr[k] * or) - (_wi[k] * oi);
            im[k] = ei + (_wr[k] * oi) + (_wi[k] * or);
        }
    }

    /// <summary>The real signal, scaled by N/2, whose spectrum has bins 0…N/2 <paramref name="re"/>, <paramref name="im"/>.</summary>
    public void Inverse(ReadOnlySpan<double> re, ReadOnlySpan<double> im, Span<double> x)
    {
        var m = _m;
        for (var k = 0; k < m; k++)
        {
            double xr = re[k], xi = im[k], cr = re[m - k], ci = -im[m - k];
            var er = 0.5 * (xr + cr);
            var ei = 0.5 * (xi + ci);
            var dr = 0.5 * (xr - cr);
            var di = 0.5 * (xi - ci);

            // O = D · conj(W^k); Z = E + i·O, conjugated for the inverse-by-forward trick.
            var or = (dr * _wr[k]) + (di * _wi[k]);
            var oi = (di * _wr[k]) - (dr * _wi[k]);
            _zr[k] = er - oi;
            _zi[k] = -(ei + or);
        }

        _fft.Forward(_zr, _zi);
        for (var j = 0; j < m; j++)
        {
            x[2 * j] = _zr[j];
            x[(2 * j) + 1] = -_zi[j];
        }
    }
}
