namespace ItOpsStream.Models.Anomaly;

/// <summary>In-place iterative radix-2 complex FFT of one fixed power-of-two size, tables precomputed.</summary>
internal sealed class Fft
{
    private readonly int _n;
    private readonly int[] _bitReverse;
    private readonly double[] _cos;
    private readonly double[] _sin;

    public Fft(int n)
    {
        if (n < 2 || (n & (n - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "must be a power of two of at least 2");
        }

        _n = n;
        _bitReverse = new int[n];
        var bits = System.Numerics.BitOperations.Log2((uint)n);
        for (var i = 0; i < n; i++)
        {
            var r = 0;
            for (var b = 0; b < bits; b++)
            {
                r |= ((i >> b) & 1) << (bits - 1 - b);
            }

            _bitReverse[i] = r;
        }

        _cos = new double[n / 2];
        _sin = new double[n / 2];
        for (var i = 0; i < n / 2; i++)
        {
            _cos[i] = Math.Cos(2 * Math.PI * i / n);
            _sin[i] = -Math.Sin(2 * Math.PI * i / n);
        }
    }

    public int Size => _n;

    /// <summary>Forward transform (e^{-2πi kt/N}), unnormalized.</summary>
    public void Forward(Span<double> re, Span<double> im)
    {
        var n = _n;
        for (var i = 0; i < n; i++)
        {
            var j = _bitReverse[i];
            if (j > i)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }

        for (var size = 2; size <= n; size <<= 1)
        {
            var half = size >> 1;
            var step = n / size;
            for (var start = 0; start < n; start += size)
            {
                for (var k = 0; k < half; k++)
                {
                    var wr = _cos[k * step];
                    var wi = _sin[k * step];
                    var a = start + k;
                    var b = a + half;
                    var tr = (re[b] * wr) - (im[b] * wi);
                    var ti = (re[b] * wi) + (im[b] * wr);
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }
}
