namespace StatsCache.SampleHost.Pages;

/// <summary>
/// The sample's routes: plain server-rendered HTML, one file per page in this folder. The list
/// pages read their statistics for a whole page at once (one statement or call each), instead of
/// the correlated sub-queries per row they would otherwise need.
/// </summary>
public static class SamplePages
{
    public static WebApplication MapSamplePages(this WebApplication app)
    {
        app.MapGet("/", IndexPage.RenderAsync);
        app.MapGet("/teams/{teamId:long}", ChatbotsPage.RenderAsync);
        app.MapGet("/teams/{teamId:long}/experiments/{experimentId:long}", SessionsPage.RenderAsync);
        app.MapGet("/admin", AdminPage.RenderAsync);
        // The library's health check: healthy while refreshes keep the watermark fresh, whatever the traffic.
        app.MapHealthChecks("/health");
        return app;
    }
}
