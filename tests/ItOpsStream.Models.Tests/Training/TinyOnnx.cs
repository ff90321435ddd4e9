using System.Text;

namespace ItOpsStream.Models.Tests.Training;

/// <summary>
/// Writes the protobuf bytes of a minimal ONNX model by hand (no ONNX tooling in .NET): input
/// <c>x</c> float[1, W], y = ReduceMax(Abs(x)) with keepdims, output <c>y</c> float[1, 1], opset 13.
/// </summary>
internal static class TinyOnnx
{
    public static byte[] MaxAbs(int window)
    {
        var abs = Message(Str(1, "x"), Str(2, "a"), Str(3, "abs"), Str(4, "Abs"));
        var max = Message(Str(1, "a"), Str(2, "y"), Str(3, "max"), Str(4, "ReduceMax"));
        var graph = Message(
            Bytes(1, abs),
            Bytes(1, max),
            Str(2, "maxabs"),
            Bytes(11, ValueInfo("x", 1, window)),
            Bytes(12, ValueInfo("y", 1, 1)));
        var opset = Message(Str(1, string.Empty), Varint(2, 13));
        return Message(Varint(1, 8), Str(2, "itopsstream-test"), Bytes(7, graph), Bytes(8, opset));
    }

    private static byte[] ValueInfo(string name, params long[] dims)
    {
        var shape = Message(dims.Select(d => Bytes(1, Message(Varint(1, d)))).ToArray());
        var tensor = Message(Varint(1, 1), Bytes(2, shape)); // elem_type 1 = FLOAT
        var type = Message(Bytes(1, tensor));
        return Message(Str(1, name), Bytes(2, type));
    }

    private static byte[] Message(params byte[][] fields) => fields.SelectMany(f => f).ToArray();

    private static byte[] Str(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    private static byte[] Bytes(int field, byte[] value) => [.. Key(field, 2), .. Raw((ulong)value.Length), .. value];

    private static byte[] Varint(int field, long value) => [.. Key(field, 0), .. Raw((ulong)value)];

    private static byte[] Key(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

    private static byte[] Raw(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return [.. bytes];
    }
}
