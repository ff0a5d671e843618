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
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Id).ToListAsync(cancellationToken);
        var html = new StringBuilder("<h1>Teams</h1><ul>");
        foreach (var team in teams)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"/teams/{team.Id}\">{E(team.Name)}</a></li>");
        }

        html.Append("</ul><p><a href=\"/admin\">Cache admin</a> · <a href=\"/health\">Health</a></p>");
        return Page("Teams", html);
    }
}
