namespace ItOpsStream.Models.Anomaly;

/// <summary>Shared range checks of the detector options records.</summary>
internal static class DetectorValidation
{
    public static void Fraction(double value, string name)
    {
        if (value is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(name, value, "must be in (0, 1]");
        }
    }

    public static void AtLeast(int value, int min, string name)
    {
        if (value < min)
        {
            throw new ArgumentOutOfRangeException(name, value, $"must be at least {min}");
        }
    }
}
