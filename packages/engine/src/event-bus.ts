import type { Redis } from 'ioredis';

type Handler = (message: unknown) => void;

/**
 * Cross-process notifications over Redis pub/sub. Each process holds one subscriber
 * connection and fans messages out to its local handlers, so a thousand waiting long polls
 * cost one Redis subscription per channel, not one connection each.
 */
export class EventBus {
  private readonly subscriptions = new Map<
    string,
    { handlers: Set<Handler>; ready: Promise<unknown> }
  >();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
  ) {
    subscriber.on('message', (channel: string, raw: string) => {
      const local = this.subscriptions.get(channel)?.handlers;
      if (!local) return;
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        return;
      }
      for (const handler of [...local]) handler(message);
    });
  }

  channel(name: string): string {
    return `${this.prefix}:${name}`;
  }

  async publish(name: string, message: unknown): Promise<void> {
    await this.publisher.publish(this.channel(name), JSON.stringify(message));
  }

  /** Resolves once the subscription is live, so no message published afterwards is missed. */
  async subscribe(name: string, handler: Handler): Promise<() => void> {
    const channel = this.channel(name);
    let subscription = this.subscriptions.get(channel);
    if (!subscription) {
      subscription = { handlers: new Set(), ready: this.subscriber.subscribe(channel) };
      this.subscriptions.set(channel, subscription);
    }
    subscription.handlers.add(handler);
    await subscription.ready;
    return () => {
      const current = this.subscriptions.get(channel);
      if (!current?.handlers.delete(handler) || current.handlers.size > 0) return;
      this.subscriptions.delete(channel);
      void this.subscriber.unsubscribe(channel).catch(() => undefined);
    };
  }
}
