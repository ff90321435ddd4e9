using Confluent.Kafka;
using ItOpsStream.Connectors.Kafka.Source;

namespace ItOpsStream.Connectors.Kafka.Tests.Source;

public sealed class PartitionProgressTests
{
    private static readonly Action<BatchTicket> Ignore = _ => { };

    [Fact]
    public void Complete_OutOfOrder_StoresOnlyTheContiguousPrefix()
    {
        var progress = new PartitionProgress(new TopicPartition("t", 0));
        var first = progress.Dispatch(9, Ignore);
        var second = progress.Dispatch(19, Ignore);
        var third = progress.Dispatch(29, Ignore);

        Assert.False(progress.Complete(second));
        Assert.Equal(-1, progress.Committable);
        Assert.False(progress.Complete(third));

        Assert.True(progress.Complete(first));
        Assert.Equal(30, progress.Committable);
        Assert.Equal(0, progress.InFlight);
    }

    [Fact]
    public void Complete_InOrder_AdvancesBatchByBatch()
    {
        var progress = new PartitionProgress(new TopicPartition("t", 0));
        var a = progress.Dispatch(4, Ignore);
        var b = progress.Dispatch(7, Ignore);

        Assert.True(progress.Complete(a));
        Assert.Equal(5, progress.Committable);
        Assert.Equal(1, progress.InFlight);
        Assert.True(progress.Complete(b));
        Assert.Equal(8, progress.Committable);
    }

    [Fact]
    public void TicketComplete_CalledTwice_HandsBackOnce()
    {
        int handed = 0;
        var progress = new PartitionProgress(new TopicPartition("t", 0));
        var ticket = progress.Dispatch(1, _ => handed++);

        ticket.Complete();
        ticket.Complete();

        Assert.Equal(1, handed);
    }
}
