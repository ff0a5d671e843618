using StatsCache.SampleHost;

// `dotnet run --project samples/StatsCache.SampleHost` runs the web app (http://127.0.0.1:5080);
// `dotnet run --project samples/StatsCache.SampleHost -- <command> ...` runs a management command
// against the same database and exits (`-- --help` lists them). Anything that is not an option
// (`--urls ...`, `--Key=value`) is taken for a command, so a typo prints the usage instead of starting
// the web app.
if (Commands.IsCommand(args))
{
    return await Commands.RunAsync(args);
}

SampleWebApp sample;
try
{
    sample = await SampleWebApp.CreateAsync(args);
}
catch (InvalidOperationException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}

await using (sample)
{
    return await sample.RunAsync();
}
