using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StatsCache.SampleHost.Pages;

/// <summary>
/// The sample's routes: plain server-rendered HTML, one file per page in this folder. The list
/// pages read their statistics for a whole page at once (one statement or call each), instead of
/// the correlated sub-queries per row they would otherwise need. Every error (a bad link, a missing
/// team, a failure) gets a page with a message and a way back.
/// </summary>
public static class SamplePages
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static WebApplication MapSamplePages(this WebApplication app)
    {
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            await Html.ErrorPage(StatusCodes.Status500InternalServerError, "Something went wrong",
                $"The page failed: {exception?.GetType().Name}: {exception?.Message}", "/", "Back to the teams").ExecuteAsync(context);
        }));
        // Responses without a body (a route that does not match its constraint, a 405) get a page too.
        app.UseStatusCodePages(async context =>
        {
            var status = context.HttpContext.Response.StatusCode;
            await Html.ErrorPage(status, status == StatusCodes.Status404NotFound ? "Not found" : $"Error {status}",
                status == StatusCodes.Status404NotFound ? $"There is no page at {context.HttpContext.Request.Path}." : $"The request could not be served (HTTP {status}).",
                "/", "Back to the teams").ExecuteAsync(context.HttpContext);
        });

        app.MapGet("/", IndexPage.RenderAsync);
        app.MapGet("/teams/{teamId:long}", ChatbotsPage.RenderAsync);
        app.MapGet("/teams/{teamId:long}/experiments/{experimentId:long}", SessionsPage.RenderAsync);
        app.MapGet("/admin", AdminPage.RenderAsync);
        app.MapGet("/admin/compare", AdminPage.CompareAsync);
        app.MapGet("/admin/buckets", AdminPage.BucketsForm);
        app.MapGet("/admin/teams/{teamId:long}/experiments/{experimentId:long}", AdminPage.BucketsAsync);
        app.MapPost("/admin/verify", AdminPage.VerifyAsync);
        // The library's health check: healthy while refreshes keep the watermark fresh, whatever the
        // traffic. The status code says healthy (200) or not (503); the body says why, as JSON.
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthAsync });
        app.MapFallback(context => Html.ErrorPage(StatusCodes.Status404NotFound, "Not found",
            $"There is no page at {context.Request.Path}.", "/", "Back to the teams").ExecuteAsync(context));
        return app;
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                error = e.Value.Exception?.Message,
                data = e.Value.Data.ToDictionary(d => d.Key, d => d.Value?.ToString()),
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Indented));
    }
}
