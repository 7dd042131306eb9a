/**
 * A token bucket, in memory. The relay limits each connection with two (messages and bytes): a
 * per-message check must cost nothing, so these live with the connection rather than in the store
 * (`consumeRateLimit` is for request-rate limits that must hold across instances).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.last = nowMs;
  }

  /** Take `amount` tokens if there are that many; false (and nothing taken) otherwise. */
  take(amount: number, nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < amount) return false;
    this.tokens -= amount;
    return true;
  }

  /** Whether `amount` tokens are there now (nothing is taken). */
  has(amount: number, nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= amount;
  }

  /** True when the bucket has been full long enough that forgetting it changes nothing. */
  isFull(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= this.capacity;
  }

  private refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.last) / 1000;
    this.last = nowMs;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.refillPerSecond);
  }
}
