import { EventStreamDecoder } from './event-stream.ts';
import type { components } from './generated/openapi.ts';

/** A notification, as the stream and `GET /notifications` give it. */
export type Notification = components['schemas']['NotificationResponse'];

export interface NotificationStreamOptions {
  /** The gateway's origin, e.g. `https://api.example.com`. */
  baseUrl: string;
  /** A valid access token; asked for on every (re)connection, so refresh it in here when it expires. */
  getAccessToken: () => string | Promise<string>;
  /** Called for each notification, in order, once: live ones and those replayed after a reconnection. */
  onNotification: (notification: Notification, eventId: string) => void;
  /** Stops the stream for good (the promise then resolves). */
  signal: AbortSignal;
  /** Resume after this notification id (e.g. the last one shown before the page reloaded). */
  lastEventId?: string;
  /** Told when the stream opens and when it dropped and is about to reconnect (for a connection indicator). */
  onStateChange?: (state: 'open' | 'reconnecting', httpStatus?: number) => void;
  /** How long to wait before reconnecting, by the refused answer's status (undefined: the stream dropped or the network failed). */
  retryDelayMs?: (httpStatus: number | undefined) => number;
  /** Another fetch; the global one by default. */
  fetch?: typeof fetch;
}

/** 401: the next getAccessToken() refreshes; 429 and 5xx: give the server room; a drop (token expiry, a restart): soon. */
const defaultRetryDelayMs = (httpStatus: number | undefined) => (httpStatus === undefined || httpStatus === 401 ? 1_000 : 5_000);

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Reads `GET /api/v1/notifications/stream` with fetch (a browser's `EventSource` cannot send
 * `Authorization`) and keeps it open until `signal` aborts: whenever the stream ends (the token
 * expired, a gateway restarted) or cannot open, it reconnects with `Last-Event-ID`, so a
 * notification created meanwhile is replayed, and none comes twice. Works in browsers and Node.
 */
export async function streamNotifications(options: NotificationStreamOptions): Promise<void> {
  const { signal } = options;
  const url = `${options.baseUrl.replace(/\/+$/, '')}/api/v1/notifications/stream`;
  const fetchStream = options.fetch ?? globalThis.fetch;
  const retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs;
  let lastEventId = options.lastEventId ?? '';
  while (!signal.aborted) {
    let refusedWith: number | undefined;
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${await options.getAccessToken()}` };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const response = await fetchStream(url, { headers, signal });
      if (response.ok && response.body) {
        options.onStateChange?.('open', response.status);
        const decoder = new EventStreamDecoder(lastEventId);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
          for (const event of decoder.push(chunk.value)) {
            if (event.type !== 'notification') continue;
            lastEventId = event.lastEventId;
            options.onNotification(JSON.parse(event.data) as Notification, event.lastEventId);
          }
        }
      } else {
        refusedWith = response.status;
        await response.body?.cancel();
      }
    } catch {
      // The network failed or the stream broke off: reconnect, unless we were stopped.
    }
    if (signal.aborted) return;
    options.onStateChange?.('reconnecting', refusedWith);
    await sleep(retryDelayMs(refusedWith), signal);
  }
}
