namespace StatsCache.Maintenance;

/// <summary>Progress of a backfill, reported after each committed chunk.</summary>
/// <param name="ChunksDone">Chunks committed so far in this call.</param>
/// <param name="ChunksTotal">Chunks this call has to do.</param>
/// <param name="DoneUntil">Everything before this instant is committed.</param>
/// <param name="To">End of the backfill range.</param>
/// <param name="RowsWritten">Rows written so far in this call.</param>
public sealed record BackfillProgress(int ChunksDone, int ChunksTotal, DateTime DoneUntil, DateTime To, long RowsWritten)
{
    /// <summary>Fraction done, 0 to 1.</summary>
    public double Fraction => ChunksTotal == 0 ? 1 : (double)ChunksDone / ChunksTotal;
}
