using Microsoft.Extensions.Options;

namespace StatsCache.Hosting;

/// <summary>Validates <see cref="HostedMaintenanceOptions"/> at start-up, naming the option and its allowed range.</summary>
internal sealed class HostedMaintenanceOptionsValidator : IValidateOptions<HostedMaintenanceOptions>
{
    public ValidateOptionsResult Validate(string? name, HostedMaintenanceOptions options)
    {
        var failures = Problems(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static IEnumerable<string> Problems(HostedMaintenanceOptions o)
    {
        if (o.RefreshInterval < TimeSpan.FromSeconds(1) || o.RefreshInterval > TimeSpan.FromHours(24))
        {
            yield return $"HostedMaintenanceOptions.RefreshInterval is {o.RefreshInterval}; allowed is 1 second to 24 hours.";
        }

        if (o.CompressInterval < TimeSpan.FromSeconds(1) || o.CompressInterval > TimeSpan.FromDays(31))
        {
            yield return $"HostedMaintenanceOptions.CompressInterval is {o.CompressInterval}; allowed is 1 second to 31 days.";
        }

        if (o.VerifyInterval is { } verify && verify != TimeSpan.Zero && (verify < TimeSpan.FromMinutes(1) || verify > TimeSpan.FromDays(366)))
        {
            yield return $"HostedMaintenanceOptions.VerifyInterval is {verify}; allowed is null or zero (disabled), or 1 minute to 366 days.";
        }

        if (o.StartJitter < TimeSpan.Zero || o.StartJitter > TimeSpan.FromHours(1))
        {
            yield return $"HostedMaintenanceOptions.StartJitter is {o.StartJitter}; allowed is 0 to 1 hour.";
        }
    }
}
