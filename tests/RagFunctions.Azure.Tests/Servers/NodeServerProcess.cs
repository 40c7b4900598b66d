using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RagFunctions.Azure.Tests.Servers;

/// <summary>A Node.js test server (Azurite, the Cosmos DB test server) run as a child process on a loopback port: started,
/// awaited until it prints its ready line, and killed with its process tree on dispose. Its output is kept so that a server
/// that exits or never becomes ready fails the fixture with what it said.</summary>
public sealed class NodeServerProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private NodeServerProcess(Process process) => _process = process;

    /// <summary>Starts <c>node</c> with <paramref name="arguments"/> and waits until a line of its standard output contains
    /// <paramref name="readyMarker"/>.</summary>
    /// <param name="name">What the server is called in failure messages.</param>
    public static async Task<NodeServerProcess> StartAsync(
        string name, IEnumerable<string> arguments, string workingDirectory, string readyMarker, TimeSpan timeout)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo("node", arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var server = new NodeServerProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        server._process.OutputDataReceived += (_, e) =>
        {
            server.Append(e.Data);
            if (e.Data?.Contains(readyMarker, StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"{name} exited early: " + server.Output()));
        try
        {
            server._process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            server.Dispose();
            throw new InvalidOperationException($"Could not start 'node' for {name}; install Node.js (scripts/setup-test-deps.sh).", ex);
        }

        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException ex)
        {
            var output = server.Output();
            server.Dispose();
            throw new InvalidOperationException($"{name} did not start within {timeout.TotalSeconds:F0} s: " + output, ex);
        }

        return server;
    }

    /// <summary>A port free on loopback now (the OS picks it), for the server to listen on.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The repository root: the first directory above the test binaries that holds <paramref name="markerFile"/>.</summary>
    public static string? RepositoryRoot(string markerFile)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, markerFile)))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started: nothing to stop.
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
