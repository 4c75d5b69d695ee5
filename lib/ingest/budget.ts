/**
 * A bound on the request bytes ingest holds at once: bodies as received and decompressed,
 * from the first byte read until the answer is sent. Acknowledging only after the insert
 * means a request's rows sit in the batcher's queue for that whole time, so this bounds the
 * queue in bytes as well as the bodies waiting to be decoded. A request that does not fit
 * is refused before more of it is read, instead of growing memory.
 */
export class ByteBudget {
  private used = 0;

  constructor(
    readonly limit: number,
    private readonly onChange: (bytes: number) => void = () => {},
  ) {}

  /** One request's share; release() it when the request is answered. */
  reservation(): Reservation {
    let held = 0;
    return {
      // Something is always let through when nothing else is held, so a body larger than
      // the limit (but within the body size limit) is slow, never refused forever.
      take: (bytes) => {
        if (this.used - held > 0 && this.used + bytes > this.limit) return false;
        held += bytes;
        this.used += bytes;
        this.onChange(this.used);
        return true;
      },
      release: () => {
        this.used -= held;
        held = 0;
        this.onChange(this.used);
      },
    };
  }
}

export interface Reservation {
  /** Takes `bytes` more for this request; false (taking nothing) when the budget has no room. */
  take(bytes: number): boolean;
  release(): void;
}
