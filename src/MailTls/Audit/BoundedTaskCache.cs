using System.Collections.Concurrent;

namespace MailTls.Audit;

/// <summary>
/// A run-wide cache of asynchronous results with coalescing (concurrent callers with the same key share one task)
/// and a fixed capacity: beyond <c>capacity</c> entries the oldest inserted are dropped, so memory stays flat however
/// many domains a scan visits. A dropped key is computed again when asked for again.
/// </summary>
internal sealed class BoundedTaskCache<TKey, TValue>
    where TKey : notnull
{
    private readonly int capacity;
    private readonly ConcurrentDictionary<TKey, Lazy<Task<TValue>>> entries;
    private readonly ConcurrentQueue<TKey> order = new();
    private int created;

    public BoundedTaskCache(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        this.capacity = Math.Max(1, capacity);
        entries = new ConcurrentDictionary<TKey, Lazy<Task<TValue>>>(comparer);
    }

    /// <summary>Entries held now.</summary>
    public int Count => entries.Count;

    /// <summary>Values computed so far (cache misses).</summary>
    public int Created => Volatile.Read(ref created);

    public Task<TValue> GetOrAdd(TKey key, Func<TKey, Task<TValue>> factory)
    {
        if (entries.TryGetValue(key, out var existing))
        {
            return existing.Value;
        }

        var fresh = new Lazy<Task<TValue>>(() =>
        {
            Interlocked.Increment(ref created);
            return factory(key);
        });
        var lazy = entries.GetOrAdd(key, fresh);
        if (ReferenceEquals(lazy, fresh))
        {
            order.Enqueue(key);
            while (entries.Count > capacity && order.TryDequeue(out var old))
            {
                entries.TryRemove(old, out _);
            }
        }

        return lazy.Value;
    }
}
