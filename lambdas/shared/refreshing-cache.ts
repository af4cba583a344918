/**
 * A bounded in-memory cache that refreshes its entries off the request path (stale-while-revalidate).
 *
 * - An entry is served until `maxAgeMs` after the read behind it *started*: that is the bound on how
 *   stale a served value can be, and what callers document (a revocation or role change reaches a
 *   warm function within it).
 * - Once an entry is older than `refreshAfterMs` (default half of `maxAgeMs`), the first request that
 *   sees it starts one reload in the background and is served the cached value; so is every request
 *   until the reload lands. A busy function therefore never waits for a reload.
 * - Past `maxAgeMs` (an idle function), or with no entry, the request waits for the reload.
 * - One load per key at a time (single-flight): concurrent requests share it, cold or not.
 * - A load that throws caches nothing (unknown keys stay uncached, and a request that waits gets the
 *   error); a background reload that throws drops the entry, so the next request reads again and
 *   sees the truth.
 * - A load never replaces a value read after it started (a `reload` that overtook it).
 *
 * Lambda containers are long-lived: the map never holds more than `maxEntries` (oldest evicted first).
 */
import type { Clock } from './clock';

export interface RefreshingCacheOptions {
  maxAgeMs: number;
  refreshAfterMs?: number;
  maxEntries?: number;
}

interface Entry<V> {
  value: V;
  /** When the read behind the value started. */
  readAt: number;
  /** Order in which the reads started (several can start within one clock tick). */
  seq: number;
}

export class RefreshingCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loads = new Map<string, Promise<V>>();
  private readonly maxAgeMs: number;
  private readonly refreshAfterMs: number;
  private readonly maxEntries: number;
  private seq = 0;

  constructor(private readonly clock: Clock, options: RefreshingCacheOptions) {
    this.maxAgeMs = options.maxAgeMs;
    this.refreshAfterMs = Math.min(options.refreshAfterMs ?? options.maxAgeMs / 2, options.maxAgeMs);
    this.maxEntries = options.maxEntries ?? 1000;
  }

  /** The cached value (refreshed in the background once old), or the result of `load` when there is none fit to serve. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    const age = entry ? this.clock.now() - entry.readAt : Infinity;
    if (entry && age < this.maxAgeMs) {
      if (age >= this.refreshAfterMs && !this.loads.has(key)) {
        // Off the request path: a failure drops the entry, so the next request reads for itself.
        this.start(key, load).catch(() => {
          if (this.entries.get(key) === entry) this.entries.delete(key);
        });
      }
      return Promise.resolve(entry.value);
    }
    return this.loads.get(key) ?? this.start(key, load);
  }

  /** Reads now, whatever is cached or in flight (a refusal double-checks the stored state), and caches the result. */
  reload(key: string, load: () => Promise<V>): Promise<V> {
    return this.start(key, load);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  private start(key: string, load: () => Promise<V>): Promise<V> {
    const read = { readAt: this.clock.now(), seq: ++this.seq };
    const started: Promise<V> = load().then((value) => {
      this.remember(key, { value, ...read });
      return value;
    }).finally(() => {
      if (this.loads.get(key) === started) this.loads.delete(key);
    });
    this.loads.set(key, started);
    return started;
  }

  private remember(key: string, entry: Entry<V>): void {
    const current = this.entries.get(key);
    if (current && current.seq > entry.seq) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, entry);
  }
}
