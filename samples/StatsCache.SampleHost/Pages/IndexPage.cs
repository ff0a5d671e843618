using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using StatsCache.SampleHost.Data;
using static StatsCache.SampleHost.Pages.Html;

namespace StatsCache.SampleHost.Pages;

/// <summary><c>/</c>: the teams, each linking to its chatbots page.</summary>
internal static class IndexPage
{
    public static async Task<IResult> RenderAsync(SampleDbContext db, CancellationToken cancellationToken)
    {
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Id)
            .Select(t => new { t.Id, t.Name, Chatbots = db.Experiments.Count(e => e.TeamId == t.Id) })
            .ToListAsync(cancellationToken);
        var html = new StringBuilder("<h1>StatsCache sample: teams</h1>");
        html.Append("<p>Each team's chatbots page reads its statistics from the cache in one statement, sorted and paged by PostgreSQL; ");
        html.Append("a traffic simulator keeps writing sessions and messages, and the hosted maintenance refreshes the cache every 30 s. ");
        html.Append("Switch a page to <i>real-time</i> or <i>live</i> numbers to see the difference; the admin page shows the cache at work.</p><ul id=teams>");
        foreach (var team in teams)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"/teams/{team.Id}\">{E(team.Name)}</a> <span class=note>{team.Chatbots} chatbots</span></li>");
        }

        html.Append("</ul>");
        return Page("Teams", html);
    }
}
