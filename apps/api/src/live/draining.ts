/**
 * Tells long polls and event streams that this API process is shutting down, so each ends
 * at once and its client reconnects to another process. A plain listener set rather than
 * an AbortSignal: thousands of waiting requests would each add a listener.
 */
export class Draining {
  private begun = false;
  private readonly listeners = new Set<() => void>();

  get active(): boolean {
    return this.begun;
  }

  begin(): void {
    if (this.begun) return;
    this.begun = true;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener();
  }

  /** Calls `listener` when the shutdown begins (at once if it has); returns the unsubscribe. */
  onBegin(listener: () => void): () => void {
    if (this.begun) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
