import { catalogEventKeysConsumedBy, handledEventKeys } from '@platform/messaging';
import { ORDER_SERVICE } from './service';
import { SettlementEventsController } from './settlement/settlement.events.controller';

describe('order-service event handlers', () => {
  it('handle exactly the events the catalog lists order-service as a consumer of', () => {
    expect(handledEventKeys([SettlementEventsController])).toEqual(catalogEventKeysConsumedBy(ORDER_SERVICE.name));
  });
});
