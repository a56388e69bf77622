import { EventStreamDecoder } from '@platform/api-client';

/** One server-sent event as a client sees it. */
export interface ServerSentEvent {
  id?: string;
  event: string;
  data: string;
  receivedAt: number;
}

/**
 * A `text/event-stream` reader over fetch (what a browser app does, since EventSource cannot send
 * Authorization) for tests that look at the stream itself: collects events and comment lines as
 * they arrive, decoded by the client library's EventStreamDecoder. It does not reconnect (a test
 * decides); clients use `streamNotifications` of @platform/api-client.
 */
export class EventStreamClient {
  readonly events: ServerSentEvent[] = [];
  readonly comments: { text: string; receivedAt: number }[] = [];
  status = 0;
  headers?: Headers;
  /** The body of a refused stream (a problem). */
  problem?: any;
  private readonly abort = new AbortController();
  private reading?: Promise<void>;
  private ended = false;

  /** Opens the stream; resolves once the answer's headers are in. */
  static async open(url: string, options: { token?: string; lastEventId?: string } = {}): Promise<EventStreamClient> {
    const client = new EventStreamClient();
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
    const response = await fetch(url, { headers, signal: client.abort.signal });
    client.status = response.status;
    client.headers = response.headers;
    if (response.status !== 200 || !response.body) {
      const text = await response.text();
      client.problem = text ? JSON.parse(text) : undefined;
      client.ended = true;
      return client;
    }
    client.reading = client.read(response.body);
    return client;
  }

  /** True once the server ended the stream. */
  get hasEnded(): boolean {
    return this.ended;
  }

  notifications<T = any>(): (T & { eventId?: string })[] {
    return this.events.filter((event) => event.event === 'notification').map((event) => ({ ...(JSON.parse(event.data) as T), eventId: event.id }));
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading?.catch(() => undefined);
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new EventStreamDecoder('', (comment) => this.comments.push({ text: comment.trim(), receivedAt: Date.now() }));
    try {
      for await (const text of body.pipeThrough(new TextDecoderStream()) as unknown as AsyncIterable<string>) {
        for (const event of decoder.push(text)) this.events.push({ id: event.lastEventId || undefined, event: event.type, data: event.data, receivedAt: Date.now() });
      }
    } catch {
      // aborted by close()
    } finally {
      this.ended = true;
    }
  }
}
