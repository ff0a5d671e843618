using FluentAssertions;
using StatsCache.Policy;
using static StatsCache.Tests.TestTime;

namespace StatsCache.Tests.Policy;

/// <summary>Chunks sized by volume as well as by calendar: every transaction stays under the row limit where whole hours allow.</summary>
public class BackfillVolumePlanTests
{
    private static readonly DateTime Now = Utc(2024, 5, 17, 13, 42);
    private static readonly RetentionCutoffs Default = new(Utc(2024, 4, 1), Utc(2024, 5, 16));
    private static readonly RetentionCutoffs AllHourly = new(Utc(2000, 1, 1), Utc(2000, 1, 1));

    private static ChunkVolume Volume(long max, params (DateTime Hour, long Rows)[] hours) =>
        new(hours.Select(h => new KeyValuePair<DateTime, long>(h.Hour, h.Rows)), max);

    [Fact]
    public void UnderTheLimitThePlanIsTheCalendarPlan()
    {
        var volume = Volume(100, (Utc(2024, 1, 5, 3), 40), (Utc(2024, 4, 3, 7), 50), (Utc(2024, 5, 17, 9), 10));

        BackfillPlan.Chunks(Utc(2023, 11, 20, 8), Now, Default, null, volume, splitBucketsUntil: null)
            .Should().Equal(BackfillPlan.Chunks(Utc(2023, 11, 20, 8), Now, Default));
    }

    [Fact]
    public void AnHourlyRangeOverTheLimitIsCutIntoRunsOfWholeHours()
    {
        // 10:00–10:59 30 rows, 11:00 30, 12:00 30, 13:00 (partial, to 13:42) 30; limit 70.
        var volume = Volume(70, (Utc(2024, 5, 17, 10), 30), (Utc(2024, 5, 17, 11), 30), (Utc(2024, 5, 17, 12), 30), (Utc(2024, 5, 17, 13), 30));

        var chunks = BackfillPlan.Chunks(Utc(2024, 5, 17, 10), Now, AllHourly, null, volume, splitBucketsUntil: null);

        chunks.Should().Equal(
            new BackfillChunk(Utc(2024, 5, 17, 10), Utc(2024, 5, 17, 12), BucketSize.Hour),
            new BackfillChunk(Utc(2024, 5, 17, 12), Now, BucketSize.Hour));
        AssertCovers(chunks, Utc(2024, 5, 17, 10), Now, volume);
    }

    [Fact]
    public void AnHourOverTheLimitIsOneChunkNeverSplit()
    {
        var volume = Volume(10, (Utc(2024, 5, 17, 10), 500), (Utc(2024, 5, 17, 11), 5), (Utc(2024, 5, 17, 12), 4));

        BackfillPlan.Chunks(Utc(2024, 5, 17, 10), Utc(2024, 5, 17, 13), AllHourly, null, volume, splitBucketsUntil: null)
            .Should().Equal(
                new BackfillChunk(Utc(2024, 5, 17, 10), Utc(2024, 5, 17, 11), BucketSize.Hour),
                new BackfillChunk(Utc(2024, 5, 17, 11), Utc(2024, 5, 17, 13), BucketSize.Hour));
    }

    [Fact]
    public void DaysOverTheLimitAreCutIntoRunsOfWholeDays()
    {
        // April is daily: 1–3 April 40 rows each, the rest empty; limit 100.
        var volume = Volume(100, (Utc(2024, 4, 1, 5), 40), (Utc(2024, 4, 2, 5), 40), (Utc(2024, 4, 3, 5), 40));

        var chunks = BackfillPlan.Chunks(Utc(2024, 4, 1), Utc(2024, 5, 1), Default, null, volume, splitBucketsUntil: null);

        chunks.Should().Equal(
            new BackfillChunk(Utc(2024, 4, 1), Utc(2024, 4, 3), BucketSize.Day),
            new BackfillChunk(Utc(2024, 4, 3), Utc(2024, 5, 1), BucketSize.Day));
        chunks.Should().OnlyContain(c => c.WritesBuckets && c.BucketsFrom == c.From);
    }

    [Fact]
    public void ADayBucketOverTheLimitIsSplitIntoHourPiecesAndOnlyItsLastPieceWritesTheBucket()
    {
        // 2 April: 60 rows at 01:00, 60 at 09:00, 60 at 17:00; limit 100.
        var volume = Volume(100, (Utc(2024, 4, 2, 1), 60), (Utc(2024, 4, 2, 9), 60), (Utc(2024, 4, 2, 17), 60));

        var chunks = BackfillPlan.Chunks(Utc(2024, 4, 1), Utc(2024, 4, 3), Default, null, volume, splitBucketsUntil: null);

        chunks.Should().Equal(
            new BackfillChunk(Utc(2024, 4, 1), Utc(2024, 4, 2), BucketSize.Day),
            new BackfillChunk(Utc(2024, 4, 2), Utc(2024, 4, 2, 9), BucketSize.Day) { WritesBuckets = false },
            new BackfillChunk(Utc(2024, 4, 2, 9), Utc(2024, 4, 2, 17), BucketSize.Day) { WritesBuckets = false },
            new BackfillChunk(Utc(2024, 4, 2, 17), Utc(2024, 4, 3), BucketSize.Day) { BucketsFrom = Utc(2024, 4, 2) });
        AssertCovers(chunks, Utc(2024, 4, 1), Utc(2024, 4, 3), volume);
    }

    [Fact]
    public void AMonthBucketOverTheLimitIsSplitIntoHourPieces()
    {
        var hours = Enumerable.Range(0, 31 * 24).Select(h => (Utc(2024, 1, 1).AddHours(h), 3L)).ToArray();
        var volume = Volume(500, hours);

        var chunks = BackfillPlan.Chunks(Utc(2024, 1, 1), Utc(2024, 2, 1), Default, null, volume, splitBucketsUntil: null);

        chunks.Should().HaveCount(5, "31 × 24 × 3 = 2,232 rows in pieces of at most 166 hours (498 rows)");
        chunks.Should().OnlyContain(c => c.Size == BucketSize.Month && volume.Rows(c.From, c.To) <= 500);
        chunks.Take(4).Should().OnlyContain(c => !c.WritesBuckets);
        chunks[^1].Should().Be(new BackfillChunk(chunks[^1].From, Utc(2024, 2, 1), BucketSize.Month) { BucketsFrom = Utc(2024, 1, 1) });
        AssertCovers(chunks, Utc(2024, 1, 1), Utc(2024, 2, 1), volume);
    }

    [Fact]
    public void BucketsEndingAfterTheWatermarkAreNotSplit()
    {
        var volume = Volume(100, (Utc(2024, 4, 2, 1), 60), (Utc(2024, 4, 2, 9), 60), (Utc(2024, 4, 3, 1), 60), (Utc(2024, 4, 3, 9), 60));

        var chunks = BackfillPlan.Chunks(Utc(2024, 4, 2), Utc(2024, 4, 4), Default, null, volume, splitBucketsUntil: Utc(2024, 4, 3, 6));

        chunks.Should().Equal(
            new BackfillChunk(Utc(2024, 4, 2), Utc(2024, 4, 2, 9), BucketSize.Day) { WritesBuckets = false },
            new BackfillChunk(Utc(2024, 4, 2, 9), Utc(2024, 4, 3), BucketSize.Day) { BucketsFrom = Utc(2024, 4, 2) },
            new BackfillChunk(Utc(2024, 4, 3), Utc(2024, 4, 4), BucketSize.Day));
    }

    [Fact]
    public void BerlinDaysAreSplitOnTheirOwnBoundaries()
    {
        var berlin = ReportingTimeZone.FromId("Europe/Berlin");
        var cutoffs = new RetentionCutoffs(Utc(2024, 2, 29, 23), Utc(2024, 3, 31, 22));

        // Local 31 March (a 23-hour day, 30 Mar 23:00Z to 31 Mar 22:00Z) with 3 busy hours.
        var volume = Volume(100, (Utc(2024, 3, 30, 23), 60), (Utc(2024, 3, 31, 5), 60), (Utc(2024, 3, 31, 21), 60));

        var chunks = BackfillPlan.Chunks(Utc(2024, 3, 30, 23), Utc(2024, 3, 31, 22), cutoffs, berlin, volume, splitBucketsUntil: null);

        chunks.Should().Equal(
            new BackfillChunk(Utc(2024, 3, 30, 23), Utc(2024, 3, 31, 5), BucketSize.Day) { WritesBuckets = false },
            new BackfillChunk(Utc(2024, 3, 31, 5), Utc(2024, 3, 31, 21), BucketSize.Day) { WritesBuckets = false },
            new BackfillChunk(Utc(2024, 3, 31, 21), Utc(2024, 3, 31, 22), BucketSize.Day) { BucketsFrom = Utc(2024, 3, 30, 23) });
    }

    [Fact]
    public void RandomVolumesGiveContiguousBoundedPlansWhoseBucketsAreWrittenWhole()
    {
        var random = new Random(20240517);
        for (var run = 0; run < 300; run++)
        {
            var from = Between(random, Utc(2023, 9, 1), Now);
            var max = random.Next(1, 400);
            var hours = Enumerable.Range(0, (int)(Now - Utc(2023, 9, 1)).TotalHours + 1)
                .Where(_ => random.Next(4) == 0)
                .Select(h => (Utc(2023, 9, 1).AddHours(h), (long)random.Next(0, 300)))
                .ToArray();
            var volume = Volume(max, hours);
            var watermark = random.Next(2) == 0 ? (DateTime?)null : Between(random, from, Now);

            var chunks = BackfillPlan.Chunks(from, Now, Default, null, volume, watermark);

            var calendar = BackfillPlan.Chunks(from, Now, Default);
            chunks[0].From.Should().Be(calendar[0].From);
            AssertCovers(chunks, calendar[0].From, Now, volume);
            foreach (var c in chunks.Where(c => c.WritesBuckets))
            {
                BucketCalendar.Floor(c.BucketsFrom, c.Size).Should().Be(c.BucketsFrom, "buckets are recomputed whole, from their start");
            }

            foreach (var c in chunks.Where(c => volume.Rows(c.From, c.To) > max))
            {
                var oneBucketAboveTheWatermark = c.To > watermark && c.From == c.BucketsFrom
                    && c.To == Min(BucketCalendar.End(c.From, c.Size), Now);
                (c.To - c.From <= TimeSpan.FromHours(1) || oneBucketAboveTheWatermark).Should()
                    .BeTrue($"only a single hour may exceed the limit, or a single bucket ending after the watermark {watermark:O}, which is not split: {c}");
            }
        }
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>Contiguous from <paramref name="from"/> to <paramref name="to"/>; every split bucket ends with the piece that writes it.</summary>
    private static void AssertCovers(IReadOnlyList<BackfillChunk> chunks, DateTime from, DateTime to, ChunkVolume volume)
    {
        chunks[0].From.Should().Be(from);
        chunks[^1].To.Should().Be(to);
        chunks[^1].WritesBuckets.Should().BeTrue("the last chunk completes its bucket");
        DateTime? splitBucket = null; // start of the bucket whose pieces are under way
        for (var i = 0; i < chunks.Count; i++)
        {
            var c = chunks[i];
            if (i > 0)
            {
                c.From.Should().Be(chunks[i - 1].To, "contiguous");
            }

            if (splitBucket is { } bucket)
            {
                c.Size.Should().Be(chunks[i - 1].Size, "a split bucket's pieces share its size");
                if (c.WritesBuckets)
                {
                    c.BucketsFrom.Should().Be(bucket, "the last piece recomputes the whole bucket");
                }
            }
            else
            {
                c.BucketsFrom.Should().Be(c.From, c.WritesBuckets ? "a chunk of whole buckets recomputes its own range" : "a first piece starts its bucket");
            }

            splitBucket = c.WritesBuckets ? null : splitBucket ?? c.From;
        }

        chunks.Sum(c => volume.Rows(c.From, c.To)).Should().Be(volume.Rows(from, to), "every hour is in exactly one chunk");
    }
}
