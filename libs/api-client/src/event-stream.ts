/** One server-sent event, as the HTML standard's event-stream parser dispatches it. */
export interface ServerSentEvent {
  /** The `event:` field, `message` when the server named none. */
  type: string;
  /** The `data:` lines, joined with `\n`. */
  data: string;
  /** The stream's last event id when this event was dispatched (what `Last-Event-ID` resumes from). */
  lastEventId: string;
}

const LINE_END = /\r\n|\r|\n/;

/**
 * Turns `text/event-stream` text, fed in chunks as it arrives, into events (the HTML standard's
 * "interpreting an event stream"): lines end in CRLF, LF or CR, even when a chunk splits them;
 * comment lines (`:`, the heartbeat) are never dispatched, only told to `onComment`; `data:` lines
 * join; an `id:` stays the last event id until the next one; a blank line dispatches, an event
 * without data is dropped. No `retry:`: the reader decides its own back-off.
 */
export class EventStreamDecoder {
  /** The last `id:` seen (or the one given to resume from). */
  lastEventId: string;
  private readonly onComment?: (text: string) => void;
  private buffer = '';
  private data: string[] = [];
  private type = '';

  constructor(lastEventId = '', onComment?: (text: string) => void) {
    this.lastEventId = lastEventId;
    this.onComment = onComment;
  }

  /** Feeds the next chunk of text; returns the events it completed. */
  push(text: string): ServerSentEvent[] {
    this.buffer += text;
    const events: ServerSentEvent[] = [];
    for (let end = LINE_END.exec(this.buffer); end; end = LINE_END.exec(this.buffer)) {
      // A CR at the very end may be the first half of a CRLF split between chunks: wait for the next one.
      if (end[0] === '\r' && end.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end[0].length);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.onComment?.(line.slice(1));
      return undefined;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    const [data, type] = [this.data, this.type];
    this.data = [];
    this.type = '';
    if (data.length === 0) return undefined;
    return { type: type || 'message', data: data.join('\n'), lastEventId: this.lastEventId };
  }
}
