/** One server-sent event as a client sees it. */
export interface ServerSentEvent {
  id?: string;
  event: string;
  data: string;
  receivedAt: number;
}

/**
 * A `text/event-stream` reader over fetch (what a browser app does, since EventSource cannot send
 * Authorization): collects events and comment lines as they arrive.
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
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          this.parse(buffer.slice(0, boundary));
          buffer = buffer.slice(boundary + 2);
        }
      }
    } catch {
      // aborted by close()
    } finally {
      this.ended = true;
    }
  }

  private parse(block: string): void {
    const event: ServerSentEvent = { event: 'message', data: '', receivedAt: Date.now() };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments.push({ text: line.slice(1).trim(), receivedAt: Date.now() });
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') event.id = value;
      else if (field === 'event') event.event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0 || event.id) {
      event.data = data.join('\n');
      this.events.push(event);
    }
  }
}
