import { BaseRpcContext } from '@nestjs/microservices';
import type { CloudEvent } from '@platform/contracts';
import type { EntityManager } from 'typeorm';
import type { EventOrigin } from '../kafka/event-origin';

/**
 * What an event handler gets besides the event: the transaction it must do its writes in (the
 * inbox row that marks the event handled commits in the same one) and where the event came from.
 */
export class EventContext extends BaseRpcContext<[CloudEvent<object>, EntityManager, EventOrigin]> {
  get event(): CloudEvent<object> {
    return this.args[0];
  }

  /** EntityManager of the handler's transaction. */
  get manager(): EntityManager {
    return this.args[1];
  }

  get origin(): EventOrigin {
    return this.args[2];
  }
}
