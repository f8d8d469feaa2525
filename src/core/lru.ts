/**
 * A small least-recently-used map for immutable data (keyed by commit or blob ids). Capacity is a
 * count, or a total weight when `weigh` is given (e.g. bytes of cached blobs).
 */
export class LruCache<V> {
  private readonly map = new Map<string, V>();
  private total = 0;
  constructor(
    private readonly capacity: number,
    private readonly weigh: (v: V) => number = () => 1,
  ) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    const old = this.map.get(key);
    if (old !== undefined) {
      this.total -= this.weigh(old);
      this.map.delete(key);
    }
    this.map.set(key, value);
    this.total += this.weigh(value);
    while (this.total > this.capacity && this.map.size > 0) {
      const first = this.map.keys().next().value as string;
      this.total -= this.weigh(this.map.get(first)!);
      this.map.delete(first);
    }
  }
}
