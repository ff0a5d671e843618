using System.Text.Json;
using Microsoft.Playwright;

namespace StatsCache.BrowserTests;

/// <summary>The sample's pages in a real browser, their numbers checked against live SQL.</summary>
[Collection(SampleCollection.Name)]
public sealed class BrowserTests(SampleFixture sample)
{
    private const long Team = 1;

    [Fact]
    public async Task ChatbotsPageNumbersEqualLiveSqlOnBothPages()
    {
        await sample.Cache.RefreshAsync();
        var page = await sample.NewPageAsync();
        await page.GotoAsync("/");
        (await page.Locator("#teams li").CountAsync()).Should().Be(3);
        await page.GetByRole(AriaRole.Link, new() { Name = "Acme Support" }).ClickAsync();
        await page.WaitForURLAsync($"**/teams/{Team}");
        await SampleFixture.ScreenshotAsync(page, "chatbots");
        var live = (await LiveSql.ChatbotsAsync(sample.ConnectionString, Team)).ToDictionary(r => r.Id);

        var shown = new List<ChatbotRow>(await PageReader.ChatbotsAsync(page));
        shown.Should().HaveCount(25);
        (await page.Locator("#total").InnerTextAsync()).Should().Be($"{live.Count} chatbots");

        await page.GetByRole(AriaRole.Link, new() { Name = "Next ›" }).ClickAsync();
        await page.WaitForURLAsync("**page=2**");
        await SampleFixture.ScreenshotAsync(page, "chatbots-page-2");
        (await page.Locator("nav.pager").InnerTextAsync()).Should().Contain("Page 2 of 2");
        var second = await PageReader.ChatbotsAsync(page);
        second.Should().HaveCount(live.Count - 25);
        shown.AddRange(second);

        // Every chatbot exactly once over the two pages, each with the numbers the source tables give.
        shown.Select(r => r.Id).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(live.Keys);
        foreach (var row in shown)
        {
            var expected = live[row.Id];
            (row.Name, row.Sessions, row.Participants, row.Messages).Should().Be((expected.Name, expected.Sessions, expected.Participants, expected.HumanMessages), $"chatbot {row.Id}");
        }

        // Past the last page: a 404 page that says so and links back.
        var response = await page.GotoAsync($"/teams/{Team}?page=3");
        response!.Status.Should().Be(404);
        (await page.Locator("p.error").InnerTextAsync()).Should().Contain("There is no page 3");
        await page.GetByRole(AriaRole.Link, new() { Name = "Go to page 2" }).ClickAsync();
        (await PageReader.ChatbotsAsync(page)).Should().HaveCount(live.Count - 25);
    }

    [Theory]
    [InlineData("sessions")]
    [InlineData("participants")]
    [InlineData("messages")]
    [InlineData("name")]
    [InlineData("activity")]
    public async Task EachColumnSortsBothWays(string column)
    {
        await sample.Cache.RefreshAsync();
        var page = await sample.NewPageAsync();
        await page.GotoAsync($"/teams/{Team}");
        var live = await LiveSql.ChatbotsAsync(sample.ConnectionString, Team);
        var header = page.Locator($"th[data-sort={column}] a");

        // Activity is the default sort (descending); any other column starts ascending for names, descending for numbers.
        var firstDirection = column is "activity" ? "ascending" : column is "name" ? "ascending" : "descending";
        await header.ClickAsync();
        await Expect(page.Locator($"th[data-sort={column}]")).ToHaveAttributeAsync("aria-sort", firstDirection);
        var first = await PageReader.ChatbotsAsync(page);
        await header.ClickAsync();
        await Expect(page.Locator($"th[data-sort={column}]")).ToHaveAttributeAsync("aria-sort", firstDirection == "ascending" ? "descending" : "ascending");
        var second = await PageReader.ChatbotsAsync(page);
        await SampleFixture.ScreenshotAsync(page, $"sorted-{column}-{(firstDirection == "ascending" ? "descending" : "ascending")}");

        var (ascending, descending) = firstDirection == "ascending" ? (first, second) : (second, first);
        ascending.Should().HaveCount(25);
        descending.Should().HaveCount(25);
        if (column == "activity")
        {
            // Timestamps as shown (yyyy-MM-dd HH:mm UTC) order as text; never-active chatbots ("—") sort as the oldest.
            static string Key(ChatbotRow r) => r.Activity == "—" ? "" : r.Activity;
            ascending.Select(Key).Should().BeInAscendingOrder(StringComparer.Ordinal);
            descending.Select(Key).Should().BeInDescendingOrder(StringComparer.Ordinal);
            ascending[0].Activity.Should().Be("—", "the chatbots that never had a session are the oldest");
            return;
        }

        // The exact page PostgreSQL must return: the live rows in that order, ties broken by id in the same direction.
        Func<LiveChatbot, IComparable> value = column switch
        {
            "sessions" => r => r.Sessions,
            "participants" => r => r.Participants,
            "messages" => r => r.HumanMessages,
            _ => r => r.Id,
        };
        IEnumerable<LiveChatbot> Expected(bool desc) => column == "name"
            ? (desc ? live.OrderByDescending(r => r.Name, NaturalComparer.Instance).ThenByDescending(r => r.Id) : live.OrderBy(r => r.Name, NaturalComparer.Instance).ThenBy(r => r.Id))
            : (desc ? live.OrderByDescending(value).ThenByDescending(r => r.Id) : live.OrderBy(value).ThenBy(r => r.Id));
        ascending.Select(r => r.Id).Should().Equal(Expected(false).Take(25).Select(r => r.Id));
        descending.Select(r => r.Id).Should().Equal(Expected(true).Take(25).Select(r => r.Id));
        if (column == "name")
        {
            // Natural order: a shorter number first within the same name ("Coach #16" before "Coach #106").
            var names = ascending.Select(r => r.Name).ToList();
            names.Should().BeInAscendingOrder(NaturalComparer.Instance);
        }
    }

    [Fact]
    public async Task SearchFiltersByNameAndKeepsTheSort()
    {
        await sample.Cache.RefreshAsync();
        var page = await sample.NewPageAsync();
        await page.GotoAsync($"/teams/{Team}?sort=sessions");
        await page.GetByRole(AriaRole.Searchbox).FillAsync("coach");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.WaitForURLAsync("**q=coach**");
        await SampleFixture.ScreenshotAsync(page, "search");

        var live = await LiveSql.ChatbotsAsync(sample.ConnectionString, Team, "coach");
        live.Should().NotBeEmpty();
        var rows = await PageReader.ChatbotsAsync(page);
        rows.Select(r => r.Id).Should().Equal(live.OrderByDescending(r => r.Sessions).ThenByDescending(r => r.Id).Select(r => r.Id));
        rows.Should().OnlyContain(r => r.Name.Contains("Coach", StringComparison.Ordinal));
        (await page.Locator("#total").InnerTextAsync()).Should().StartWith($"{live.Count} chatbot");
        page.Url.Should().Contain("sort=sessions");

        await page.GotoAsync($"/teams/{Team}?q=no-such-bot");
        (await page.Locator("#chatbots tbody").InnerTextAsync()).Should().Contain("No chatbot matches the search.");
    }

    [Fact]
    public async Task AChatbotsSessionsPageShowsItsLiveTotalsAndAWindowTotal()
    {
        await sample.Cache.RefreshAsync();
        var page = await sample.NewPageAsync();
        await page.GotoAsync($"/teams/{Team}?sort=sessions&fresh=live");
        var busiest = (await PageReader.ChatbotsAsync(page))[0];

        // The link keeps the read mode.
        var link = page.GetByRole(AriaRole.Link, new() { Name = busiest.Name, Exact = true });
        (await link.GetAttributeAsync("href")).Should().Contain("fresh=live");
        await link.ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync(busiest.Name);
        await Expect(page.Locator(".banner")).ToHaveAttributeAsync("data-mode", "live");

        var live = (await LiveSql.ChatbotsAsync(sample.ConnectionString, Team)).Single(r => r.Id == busiest.Id);
        var totals = await page.Locator("#totals b").AllInnerTextsAsync();
        totals.Select(PageReader.Number).Should().Equal(live.Sessions, live.Participants, live.HumanMessages);
        (await page.Locator("#sessions tbody tr").CountAsync()).Should().Be((int)Math.Min(50, live.Sessions));
        (await page.Locator("nav.pager").InnerTextAsync()).Should().Contain($"Page 1 of {(live.Sessions + 49) / 50}");

        // The 90-day window starts where the month the cache keeps whole starts, and states its total: here all the messages.
        await page.GetByRole(AriaRole.Link, new() { Name = "90", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**days=90**");
        await SampleFixture.ScreenshotAsync(page, "sessions-90-days");
        var summary = await page.Locator("#window-total").InnerTextAsync();
        summary.Should().StartWith($"{live.HumanMessages:N0} human messages from ");
        (await page.Locator("svg.spark rect.coarse").CountAsync()).Should().BeGreaterThan(0);
        var outside = await page.EvaluateAsync<int>("() => [...document.querySelectorAll('svg.spark rect, svg.spark polyline')].filter(e => { const b = e.getBBox(); return b.x < 0 || b.x + b.width > 600.5; }).length");
        outside.Should().Be(0, "nothing is drawn outside the chart's window");

        await page.GetByRole(AriaRole.Link, new() { Name = "‹ Back to the team's chatbots" }).ClickAsync();
        page.Url.Should().Contain("fresh=live");
    }

    [Fact]
    public async Task AdminPageShowsStateChartsCompareAndVerify()
    {
        // At least one refresh after the initial build (which records itself as a backfill), for the chart.
        await sample.Cache.RefreshAsync();
        var page = await sample.NewPageAsync();
        await page.GotoAsync("/admin");
        (await page.Locator("#state").InnerTextAsync()).Should().Contain("Watermark").And.Contain("Session rows");
        await Expect(page.Locator("#refresh-chart")).ToBeVisibleAsync();
        (await page.Locator("#runs").InnerTextAsync()).Should().Contain("initial build (backfill)");
        await SampleFixture.ScreenshotAsync(page, "admin");

        await page.GetByRole(AriaRole.Link, new() { Name = "Acme Support" }).ClickAsync();
        await Expect(page.Locator("#compare-summary")).ToContainTextAsync("0 of 40 chatbots differ between cached and live");
        (await page.Locator("#timings td[data-ms]").CountAsync()).Should().Be(3);
        await SampleFixture.ScreenshotAsync(page, "compare");

        await page.GotoAsync("/admin/teams/1/experiments/1");
        (await page.Locator("#buckets tr").CountAsync()).Should().BeGreaterThan(10);

        await page.GotoAsync("/admin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the whole cache against the source now" }).ClickAsync();
        await Expect(page.Locator("#verify-result")).ToContainTextAsync("Clean:");
        await SampleFixture.ScreenshotAsync(page, "verify");
        await page.GotoAsync("/admin");
        (await page.Locator("#verifies").InnerTextAsync()).Should().Contain("clean");
    }

    [Fact]
    public async Task HealthEndpointReportsHealthyWithTheReason()
    {
        var page = await sample.NewPageAsync();
        var response = await page.APIRequest.GetAsync("/health");
        response.Status.Should().Be(200);
        using var json = JsonDocument.Parse(await response.TextAsync());
        json.RootElement.GetProperty("status").GetString().Should().Be("Healthy");
        json.RootElement.GetProperty("checks").EnumerateArray().Should().ContainSingle()
            .Which.GetProperty("description").GetString().Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task ErrorsGetAPageWithAMessageAndAWayBack()
    {
        var page = await sample.NewPageAsync();
        foreach (var (url, status, message) in new[]
        {
            ("/teams/99", 404, "There is no team 99."),
            ("/teams/1?sort=colour", 400, "cannot be sorted by 'colour'"),
            ("/teams/1?page=two", 400, "'two' is not a page number"),
            ("/teams/1/experiments/99999", 404, "Team 1 has no chatbot 99999."),
            ("/teams/1/experiments/1?days=7", 400, "not a chart window"),
            ("/no/such/page", 404, "There is no page at /no/such/page."),
        })
        {
            var response = await page.GotoAsync(url);
            response!.Status.Should().Be(status, url);
            (await page.Locator("p.error").InnerTextAsync()).Should().Contain(message, url);
            (await page.Locator("p.error + p a").CountAsync()).Should().Be(1, $"{url} links back");
        }

        await SampleFixture.ScreenshotAsync(page, "error");
    }

    [Fact]
    public async Task NumbersMoveAfterTheSimulatorWritesAndARefreshRuns()
    {
        await sample.Cache.RefreshAsync();
        var page = await sample.NewPageAsync();
        await page.GotoAsync($"/teams/{Team}");
        var cachedBefore = (await PageReader.ChatbotsAsync(page)).Sum(r => r.Messages);
        var liveBefore = (await LiveSql.ChatbotsAsync(sample.ConnectionString, Team)).ToDictionary(r => r.Id, r => r.HumanMessages);
        var before = liveBefore.Values.Sum();

        // On-time traffic: write until team 1 got something (a write picks its chatbots at random).
        long after;
        do
        {
            await sample.Simulator.WriteAsync(sessions: 3, messages: 20, lateBy: null);
            after = (await LiveSql.ChatbotsAsync(sample.ConnectionString, Team)).Sum(r => r.HumanMessages);
        }
        while (after == before);

        // Cached: unchanged until the refresh. Real-time: the new rows at once.
        await page.ReloadAsync();
        (await PageReader.ChatbotsAsync(page)).Sum(r => r.Messages).Should().Be(cachedBefore);
        await page.GotoAsync($"/teams/{Team}?fresh=realtime");
        await AssertPageEqualsLiveAsync(page);

        // A late message (stamped 2 minutes ago, before the watermark): the next refresh's look-back counts it.
        var late = await sample.Simulator.WriteAsync(sessions: 0, messages: 0, lateBy: TimeSpan.FromMinutes(2));
        late.LateMessageAt.Should().NotBeNull();

        var refresh = await sample.Cache.RefreshAsync();
        refresh.Skipped.Should().BeFalse();
        refresh.RowsWritten.Should().BeGreaterThan(0);
        await page.GotoAsync($"/teams/{Team}");
        await AssertPageEqualsLiveAsync(page);
        // Not the page's sum: the page shows the first rows by last activity, so a chatbot with traffic can push a
        // busier one off it. The chatbots that got traffic lead it, each with more messages than before.
        (await PageReader.ChatbotsAsync(page)).Should().Contain(r => r.Messages > liveBefore.GetValueOrDefault(r.Id), "the cached page counts the new messages after the refresh");
        (await page.Locator(".banner").InnerTextAsync()).Should().Contain("Traffic simulator:").And.Contain("written since start");
        await SampleFixture.ScreenshotAsync(page, "chatbots-after-traffic");
    }

    private async Task AssertPageEqualsLiveAsync(IPage page)
    {
        var live = (await LiveSql.ChatbotsAsync(sample.ConnectionString, Team)).ToDictionary(r => r.Id);
        foreach (var row in await PageReader.ChatbotsAsync(page))
        {
            (row.Sessions, row.Participants, row.Messages).Should().Be((live[row.Id].Sessions, live[row.Id].Participants, live[row.Id].HumanMessages), $"chatbot {row.Id} on {page.Url}");
        }
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
