import { PassThrough } from 'node:stream';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { gauge } from '@platform/observability';
import { DataSource } from 'typeorm';
import { NotificationServiceConfig } from '../config/notification-service.config';
import { NotificationCreated } from '../notifications/notification-created.signal';
import { NotificationEntity } from '../notifications/notification.entity';
import { toNotificationResponse } from '../notifications/notification.mapper';

/**
 * Notifications committed out of created_at order (two events of one user handled at once) are
 * still found: each look goes this far back and skips what the stream already sent.
 */
const LOOKBACK_MS = 5_000;
const BATCH = 100;

/** One open `text/event-stream` of one user. */
class NotificationStream {
  readonly body = new PassThrough();
  private readonly sent = new Map<string, number>();
  private since = new Date(0);
  private pumping = false;
  private again = false;
  private closed = false;

  constructor(
    readonly userId: string,
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {}

  /** Everything up to `anchor` (the Last-Event-ID, or the newest notification) counts as sent. */
  async start(anchor: NotificationEntity | null): Promise<void> {
    if (!anchor) return;
    this.since = new Date(anchor.createdAt.getTime() - LOOKBACK_MS);
    // Compared in SQL against the anchor row itself: created_at has microseconds, a JS Date only milliseconds.
    const before: { id: string; created_at: Date }[] = await this.dataSource.query(
      `SELECT "id", "created_at" FROM "notifications"."notifications"
       WHERE "user_id" = $1 AND "created_at" >= $2
         AND ("created_at", "id") <= (SELECT "created_at", "id" FROM "notifications"."notifications" WHERE "id" = $3)`,
      [this.userId, this.since, anchor.id],
    );
    for (const row of before) this.sent.set(row.id, row.created_at.getTime());
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
        // What it has sent is left out in SQL, so a burst of more than a batch inside the look-back
        // window is read batch after batch instead of the same first batch again.
        const rows = await this.dataSource.getRepository(NotificationEntity).createQueryBuilder('n')
          .where('n.user_id = :userId AND n.created_at >= :since', { userId: this.userId, since: this.since })
          .andWhere('NOT (n.id = ANY(:sent::uuid[]))', { sent: [...this.sent.keys()] })
          .orderBy('n.created_at', 'ASC').addOrderBy('n.id', 'ASC').limit(BATCH).getMany();
        for (const notification of rows) {
          if (this.closed) break;
          this.sent.set(notification.id, notification.createdAt.getTime());
          this.write(`id: ${notification.id}\nevent: notification\ndata: ${JSON.stringify(toNotificationResponse(notification))}\n\n`);
        }
        if (rows.length === BATCH) this.again = true;
        else this.forgetOld();
      } catch (error) {
        this.logger.warn({ err: error, userId: this.userId }, 'stream could not read notifications; will look again on the next wake');
      }
    } while (this.again && !this.closed);
  }

  /** Moves the look-back window forward and forgets ids that fell out of it. */
  private forgetOld(): void {
    const newest = Math.max(...this.sent.values(), this.since.getTime() + LOOKBACK_MS);
    this.since = new Date(newest - LOOKBACK_MS);
    for (const [id, createdAt] of this.sent) if (createdAt < this.since.getTime()) this.sent.delete(id);
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
   * Opens a stream for the user. `lastEventId` is the id of the last notification the client got;
   * an id that is not one of the user's notifications replays nothing.
   */
  async openStream(userId: string, expiresAt: Date, lastEventId: string | undefined): Promise<{ body: PassThrough; close: () => void }> {
    const stream = new NotificationStream(userId, this.dataSource, this.logger);
    const anchor = lastEventId
      ? await this.dataSource.getRepository(NotificationEntity).findOneBy({ id: lastEventId, userId })
      : await this.dataSource.getRepository(NotificationEntity).findOne({ where: { userId }, order: { createdAt: 'DESC', id: 'DESC' } });
    await stream.start(anchor);
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
