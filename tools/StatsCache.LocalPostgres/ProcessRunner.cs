using System.ComponentModel;
using System.Diagnostics;

namespace StatsCache.LocalPostgres;

/// <summary>Runs a child process to completion, draining its output without deadlocking.</summary>
public static class ProcessRunner
{
    // A grandchild that keeps our pipes open (e.g. a server started without -l) must not hang us.
    private static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(5);

    public static Task<ProcessResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        string? workingDirectory,
        TimeSpan timeout,
        CancellationToken cancellationToken = default) =>
        RunAsync(fileName, arguments, workingDirectory, timeout, environment: null, cancellationToken);

    /// <summary>As the other overload, with <paramref name="environment"/> adjusting the child's environment variables first.</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        string? workingDirectory,
        TimeSpan timeout,
        Action<IDictionary<string, string?>>? environment,
        CancellationToken cancellationToken = default)
    {
        var commandLine = string.Join(' ', arguments.Prepend(fileName));
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        environment?.Invoke(startInfo.Environment);
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start `{commandLine}`: {ex.Message}", ex);
        }

        // Nothing we run reads stdin; closing it stops anything that tries from waiting forever.
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"`{commandLine}` did not finish within {timeout}.");
        }

        return new ProcessResult(
            commandLine,
            process.ExitCode,
            await DrainAsync(stdout).ConfigureAwait(false),
            await DrainAsync(stderr).ConfigureAwait(false));
    }

    /// <summary>Starts a process and lets it run on its own; its stdio is not ours to read.</summary>
    public static void StartDetached(string fileName, IReadOnlyList<string> arguments, string? workingDirectory)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            // Redirected (then dropped) so the child never holds the test runner's own stdout/stderr.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {fileName}.");
    }

    private static async Task<string> DrainAsync(Task<string> read)
    {
        try
        {
            return await read.WaitAsync(OutputDrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return "(output not drained: a child process still holds the pipe)";
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Not ours to kill any more; nothing better to do.
        }
    }
}
