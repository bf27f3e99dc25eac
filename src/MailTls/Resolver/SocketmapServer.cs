using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace MailTls.Resolver;

/// <summary>Settings of <see cref="SocketmapServer"/>.</summary>
public sealed record SocketmapServerOptions
{
    /// <summary>Largest request payload (postfix-mta-sts-resolver REQUEST_LIMIT).</summary>
    public int RequestLimit { get; init; } = Limits.SocketmapRequestLimit;

    /// <summary>Requests of one connection awaiting their replies (postfix-mta-sts-resolver QUEUE_LIMIT).</summary>
    public int PipelineLimit { get; init; } = Limits.SocketmapPipelineLimit;

    /// <summary>A connection with no request for this long is closed (Postfix reconnects on demand).</summary>
    public TimeSpan IdleTimeout { get; init; } = Limits.SocketmapIdleTimeout;

    /// <summary>Connections served at once; more are closed at accept.</summary>
    public int MaxConnections { get; init; } = Limits.SocketmapMaxConnections;

    /// <summary>On shutdown, connections get this long to finish their pending replies.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = Limits.SocketmapShutdownTimeout;
}

/// <summary>
/// The socketmap listener (socketmap_table(5)) over TCP and Unix sockets: many concurrent connections, pipelined
/// requests answered in order through a bounded per-connection queue, the request size bounded before buffering, an
/// idle timeout, and graceful shutdown (stop accepting, let pending replies finish within the shutdown timeout). A
/// framing error ends the connection without a reply, as the reference implementation does.
/// </summary>
/// <remarks>
/// Hot path: a reply that is ready at once (the resolver's in-memory answers) while no earlier reply of the connection
/// is pending is written by the reading loop itself, without a copy of the request, a queue hop or a per-request
/// timer; only lookups that wait (DNS, HTTPS, the store) go through the queue and the writing loop. Idle connections
/// are closed by one sweep timer per server instead of a timer per read.
/// </remarks>
public sealed class SocketmapServer : IAsyncDisposable
{
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<string>> answer;
    private readonly Func<ReadOnlySpan<byte>, byte[]?>? ready;
    private readonly SocketmapServerOptions options;
    private readonly List<Socket> listeners = [];
    private readonly List<Task> acceptLoops = [];
    private readonly ConcurrentSet connections = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly ResolverMetrics? metrics;
    private readonly Timer idleSweep;
    private int active;
    private int stopped;

    public SocketmapServer(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<string>> answer, SocketmapServerOptions? options = null, ResolverMetrics? metrics = null)
        : this(answer, null, options, metrics)
    {
    }

    /// <summary>Serves <paramref name="service"/>.</summary>
    public SocketmapServer(ResolverService service, SocketmapServerOptions? options = null)
        : this(
            (payload, ct) => (service ?? throw new ArgumentNullException(nameof(service))).AnswerAsync(payload.Span, ct),
            (service ?? throw new ArgumentNullException(nameof(service))).TryAnswerReady,
            options,
            service.Metrics)
    {
    }

    private SocketmapServer(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<string>> answer, Func<ReadOnlySpan<byte>, byte[]?>? ready, SocketmapServerOptions? options, ResolverMetrics? metrics)
    {
        this.answer = answer ?? throw new ArgumentNullException(nameof(answer));
        this.ready = ready;
        this.options = options ?? new SocketmapServerOptions();
        this.metrics = metrics;
        var period = this.options.IdleTimeout / 4;
        period = period < TimeSpan.FromMilliseconds(20) ? TimeSpan.FromMilliseconds(20) : period > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : period;
        idleSweep = new Timer(_ => SweepIdle(), null, period, period);
    }

    /// <summary>Endpoints actually bound (a TCP port 0 is resolved).</summary>
    public IReadOnlyList<EndPoint> EndPoints => [.. listeners.Select(l => l.LocalEndPoint!)];

    /// <summary>Connections being served.</summary>
    public int ActiveConnections => Volatile.Read(ref active);

    public void ListenTcp(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var s = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        s.Bind(endPoint);
        s.Listen(512);
        Start(s);
    }

    /// <summary>Listens on a Unix socket at <paramref name="path"/> (a stale socket file is replaced) with file mode <paramref name="mode"/>.</summary>
    public void ListenUnix(string path, UnixFileMode? mode = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(path));
        if (mode is { } m && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, m);
        }

        s.Listen(512);
        Start(s);
    }

    /// <summary>Stops accepting, waits for pending replies up to the shutdown timeout, then closes everything.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        foreach (var l in listeners)
        {
            if (l.LocalEndPoint is UnixDomainSocketEndPoint u && u.ToString() is { Length: > 0 } p && File.Exists(p))
            {
                File.Delete(p);
            }

            l.Dispose();
        }

        await Task.WhenAll(acceptLoops).ConfigureAwait(false);
        var pending = connections.Snapshot();
        foreach (var c in pending)
        {
            c.StopReading();
        }

        var all = Task.WhenAll(pending.Select(c => c.Completion));
        if (await Task.WhenAny(all, Task.Delay(options.ShutdownTimeout)).ConfigureAwait(false) != all)
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            foreach (var c in pending)
            {
                c.Abort();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await idleSweep.DisposeAsync().ConfigureAwait(false);
        stopping.Dispose();
    }

    private void SweepIdle()
    {
        var now = Environment.TickCount64;
        var limit = (long)options.IdleTimeout.TotalMilliseconds;
        foreach (var c in connections.Snapshot())
        {
            if (now - c.LastActivity > limit)
            {
                c.StopReading();
            }
        }
    }

    private void Start(Socket listener)
    {
        listeners.Add(listener);
        acceptLoops.Add(Task.Run(() => AcceptLoopAsync(listener)));
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (Interlocked.Increment(ref active) > options.MaxConnections)
            {
                Interlocked.Decrement(ref active);
                client.Dispose();
                continue;
            }

            if (client.AddressFamily != AddressFamily.Unix)
            {
                client.NoDelay = true;
            }

            metrics?.Connection();
            var connection = new Connection(this, client);
            connections.Add(connection);
            _ = connection.RunAsync().ContinueWith(
                _ =>
                {
                    connections.Remove(connection);
                    Interlocked.Decrement(ref active);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private sealed class ConcurrentSet
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Connection, byte> items = new();

        public void Add(Connection c) => items[c] = 0;

        public void Remove(Connection c) => items.TryRemove(c, out _);

        public List<Connection> Snapshot() => [.. items.Keys];
    }

    private sealed class Connection(SocketmapServer server, Socket socket) : IDisposable
    {
        private readonly CancellationTokenSource readStop = new();
        private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Replies handed to the writing loop and not yet sent; while it is 0 the reading loop may send by itself.
        private int queued;
        private long lastActivity = Environment.TickCount64;

        public Task Completion => completion.Task;

        public long LastActivity => Volatile.Read(ref lastActivity);

        public void Dispose() => readStop.Dispose();

        public void StopReading()
        {
            try
            {
                readStop.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Abort()
        {
            try
            {
                socket.Close(0);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public async Task RunAsync()
        {
            var queue = Channel.CreateBounded<ValueTask<string>>(new BoundedChannelOptions(server.options.PipelineLimit) { SingleReader = true, SingleWriter = true });
            var writer = WriteLoopAsync(queue.Reader);
            try
            {
                await ReadLoopAsync(queue.Writer).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or ChannelClosedException)
            {
            }
            finally
            {
                queue.Writer.TryComplete();
            }

            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
            }
            finally
            {
                socket.Dispose();
                Dispose();
                completion.TrySetResult();
            }
        }

        private async Task ReadLoopAsync(ChannelWriter<ValueTask<string>> queue)
        {
            var limit = server.options.RequestLimit;
            var buffer = new byte[limit + 16];
            var direct = new MemoryStream();
            var filled = 0;
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, readStop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                Volatile.Write(ref lastActivity, Environment.TickCount64);
                filled += n;
                var offset = 0;
                var framingError = false;
                while (true)
                {
                    var status = Netstring.TryParse(buffer.AsSpan(offset, filled - offset), limit, out var range, out var consumed);
                    if (status == NetstringStatus.Incomplete)
                    {
                        break;
                    }

                    if (status != NetstringStatus.Complete)
                    {
                        framingError = true;
                        break;
                    }

                    var (start, length) = range.GetOffsetAndLength(filled - offset);
                    if (Volatile.Read(ref queued) == 0 && server.ready?.Invoke(buffer.AsSpan(offset + start, length)) is { } bytes)
                    {
                        direct.Write(bytes);
                    }
                    else
                    {
                        // Earlier direct replies go out first: the writing loop may send as soon as this is queued.
                        await SendDirectAsync(direct).ConfigureAwait(false);
                        var payload = buffer.AsMemory(offset + start, length).ToArray();
                        var reply = server.answer(payload, server.stopping.Token);
                        Interlocked.Increment(ref queued);
                        await queue.WriteAsync(reply, server.stopping.Token).ConfigureAwait(false);
                    }

                    offset += consumed;
                }

                await SendDirectAsync(direct).ConfigureAwait(false);
                if (framingError)
                {
                    return;
                }

                if (offset > 0)
                {
                    Buffer.BlockCopy(buffer, offset, buffer, 0, filled - offset);
                    filled -= offset;
                }
            }
        }

        private async ValueTask SendDirectAsync(MemoryStream direct)
        {
            if (direct.Length > 0)
            {
                await SendAsync(direct).ConfigureAwait(false);
            }
        }

        private async Task WriteLoopAsync(ChannelReader<ValueTask<string>> queue)
        {
            var output = new MemoryStream();
            var taken = 0;
            while (await queue.WaitToReadAsync().ConfigureAwait(false))
            {
                while (queue.TryRead(out var pending))
                {
                    if (!pending.IsCompleted && output.Length > 0)
                    {
                        await SendAsync(output).ConfigureAwait(false);
                        Interlocked.Add(ref queued, -taken);
                        taken = 0;
                    }

                    var text = await pending.ConfigureAwait(false);
                    output.Write(Netstring.Encode(text));
                    taken++;
                }

                await SendAsync(output).ConfigureAwait(false);
                Interlocked.Add(ref queued, -taken);
                taken = 0;
            }
        }

        private async Task SendAsync(MemoryStream output)
        {
            var data = output.GetBuffer().AsMemory(0, (int)output.Length);
            while (data.Length > 0)
            {
                var sent = await socket.SendAsync(data, SocketFlags.None, server.stopping.Token).ConfigureAwait(false);
                data = data[sent..];
            }

            output.SetLength(0);
        }
    }
}
