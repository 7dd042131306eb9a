/**
 * The replay page's client cache (step windows, decoded frames): a fixed budget of "size" units
 * (bytes, steps), and when it is over budget it drops the entries farthest from the cursor, not
 * the least recently used, since a scrubber jumps back to where it was far more often than an LRU
 * would predict, and playback needs what lies ahead. Entries the caller protects (the cursor's
 * window, frames about to show) are never dropped. Framework-free so it runs in the browser and
 * in unit tests.
 */
export interface BudgetEntry<V> {
  value: V;
  /** Where on the timeline the entry belongs (a step). */
  position: number;
  size: number;
}

export class BudgetCache<V> {
  private readonly entries = new Map<string, BudgetEntry<V>>();
  private total = 0;

  constructor(
    readonly budget: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}

  get size(): number {
    return this.total;
  }

  get count(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Move an entry (it was needed at another step). */
  touch(key: string, position: number): void {
    const entry = this.entries.get(key);
    if (entry) entry.position = position;
  }

  set(key: string, value: V, position: number, size: number): void {
    this.delete(key);
    this.entries.set(key, { value, position, size });
    this.total += size;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.size;
    this.onEvict?.(key, entry.value);
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Drop the farthest entries from `center` until the total fits the budget; returns the keys dropped. */
  evict(center: number, isProtected: (key: string) => boolean = () => false): string[] {
    if (this.total <= this.budget) return [];
    const candidates = [...this.entries]
      .filter(([key]) => !isProtected(key))
      .sort((a, b) => Math.abs(b[1].position - center) - Math.abs(a[1].position - center));
    const dropped: string[] = [];
    for (const [key] of candidates) {
      if (this.total <= this.budget) break;
      this.delete(key);
      dropped.push(key);
    }
    return dropped;
  }
}
