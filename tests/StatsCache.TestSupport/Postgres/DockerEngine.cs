namespace StatsCache.TestSupport.Postgres;

/// <summary>Cheap guess whether a Docker engine could answer, before paying for Testcontainers.</summary>
internal static class DockerEngine
{
    private const string DefaultSocket = "/var/run/docker.sock";

    public static bool MightBeAvailable()
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrWhiteSpace(dockerHost))
        {
            // A unix socket that is not there cannot answer; tcp:// and friends are worth a try.
            return !dockerHost.StartsWith("unix://", StringComparison.OrdinalIgnoreCase)
                || File.Exists(dockerHost["unix://".Length..]);
        }

        return File.Exists(DefaultSocket);
    }
}
