import { PassThrough } from 'node:stream';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { gauge } from '@platform/observability';
import { DataSource } from 'typeorm';
import { NotificationServiceConfig } from '../config/notification-service.config';
import { NotificationCreated } from '../notifications/notification-created.signal';
import { NotificationEntity } from '../notifications/notification.entity';
import { toNotificationResponse } from '../notifications/notification.mapper';

const BATCH = 100;

/**
 * One open `text/event-stream` of one user. It sends the user's notifications in their place in
 * the stream (`stream_seq`, numbered in commit order per user), so "everything after the last one
 * sent" is exact: no notification can still commit before one the stream already sent.
 */
class NotificationStream {
  readonly body = new PassThrough();
  /** The place of the last notification sent (or of the anchor: everything up to it counts as sent). */
  private position = '0';
  private pumping = false;
  private again = false;
  private closed = false;

  constructor(
    readonly userId: string,
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {}

  /** Everything up to `anchor` (the Last-Event-ID, or the newest notification) counts as sent. */
  start(anchor: NotificationEntity | null): void {
    this.position = anchor?.streamSeq ?? '0';
  }

  /** Sends what is new since the last look; a wake during a look makes it look again. */
  wake(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pump().finally(() => (this.pumping = false));
  }

  write(chunk: string): void {
    if (!this.closed) this.body.write(chunk);
  }

  close(comment?: string): void {
    if (this.closed) return;
    if (comment) this.body.write(`: ${comment}\n\n`);
    this.closed = true;
    this.body.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async pump(): Promise<void> {
    do {
      this.again = false;
      try {
        const rows = await this.dataSource.getRepository(NotificationEntity).createQueryBuilder('n')
          .where('n.user_id = :userId AND n.stream_seq > :position', { userId: this.userId, position: this.position })
          .orderBy('n.stream_seq', 'ASC').limit(BATCH).getMany();
        for (const notification of rows) {
          if (this.closed) break;
          this.position = notification.streamSeq as string;
          this.write(`id: ${notification.id}\nevent: notification\ndata: ${JSON.stringify(toNotificationResponse(notification))}\n\n`);
        }
        if (rows.length === BATCH) this.again = true;
      } catch (error) {
        this.logger.warn({ err: error, userId: this.userId }, 'stream could not read notifications; will look again on the next wake');
      }
    } while (this.again && !this.closed);
  }
}

/**
 * The live streams this replica holds: replay after Last-Event-ID, then every new notification of
 * the user as it is committed (woken by NotificationCreated, whichever replica created it; all of
 * them when it may have missed some), a comment line every STREAM_HEARTBEAT_MS, and the end when
 * the access token expires.
 */
@Injectable()
export class NotificationStreams implements OnModuleDestroy {
  private readonly logger = new Logger(NotificationStreams.name);
  private readonly open = new Set<NotificationStream>();
  private readonly byUser = new Map<string, Set<NotificationStream>>();

  constructor(
    private readonly dataSource: DataSource,
    created: NotificationCreated,
    private readonly config: NotificationServiceConfig,
  ) {
    created.onCommitted({
      created: (userId) => this.byUser.get(userId)?.forEach((stream) => stream.wake()),
      missed: () => this.open.forEach((stream) => stream.wake()),
    });
    gauge('notification_streams_open', 'Live notification streams this replica holds.', [], (metric) => metric.set(this.open.size));
  }

  /**
   * Opens a stream for the user. `lastEventId` is the id of the last notification the client got
   * (the last one its stream delivered): everything after it in the stream is replayed. An id that
   * is not one of the user's notifications replays nothing.
   */
  async openStream(userId: string, expiresAt: Date, lastEventId: string | undefined): Promise<{ body: PassThrough; close: () => void }> {
    const stream = new NotificationStream(userId, this.dataSource, this.logger);
    const anchor = lastEventId
      ? await this.dataSource.getRepository(NotificationEntity).findOneBy({ id: lastEventId, userId })
      : await this.dataSource.getRepository(NotificationEntity).findOne({ where: { userId }, order: { streamSeq: 'DESC' } });
    stream.start(anchor);
    const unsubscribe = this.follow(stream);
    const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), this.config.STREAM_HEARTBEAT_MS);
    const expiry = setTimeout(() => stream.close('token expired: reconnect with a fresh token and Last-Event-ID'), Math.max(0, expiresAt.getTime() - Date.now()));
    const close = () => {
      clearInterval(heartbeat);
      clearTimeout(expiry);
      unsubscribe();
      this.open.delete(stream);
      stream.close();
    };
    stream.body.once('close', close);
    stream.body.once('end', close);
    this.open.add(stream);
    // A comment at once: the client (and every proxy on the way) sees the stream is open.
    stream.write(': connected\n\n');
    stream.wake(); // replay what came after the anchor
    return { body: stream.body, close };
  }

  /** Wakes the stream on each of its user's new notifications; returns the unsubscribe. */
  private follow(stream: NotificationStream): () => void {
    const streams = this.byUser.get(stream.userId) ?? new Set<NotificationStream>();
    streams.add(stream);
    this.byUser.set(stream.userId, streams);
    return () => {
      streams.delete(stream);
      if (streams.size === 0) this.byUser.delete(stream.userId);
    };
  }

  /** On shutdown every stream ends (clients reconnect to another replica with Last-Event-ID). */
  onModuleDestroy(): void {
    for (const stream of [...this.open]) stream.close('server shutting down');
  }
}
