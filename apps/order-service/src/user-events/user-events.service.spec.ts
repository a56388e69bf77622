import { Test } from '@nestjs/testing';
import { CustomersService } from '../customers/customers.service';
import { OWNER } from '../orders/order.fixtures';
import { OrdersService } from '../orders/orders.service';
import { UserEventsService } from './user-events.service';

describe('UserEventsService', () => {
  let service: UserEventsService;
  let steps: string[];
  let erased: boolean;
  const manager = { name: 'the event transaction' };
  const customers = {
    lockUser: jest.fn(async () => steps.push('lock user')),
    upsert: jest.fn(async () => (steps.push('upsert copy'), !erased)),
    erase: jest.fn(async () => steps.push('erase copy')),
  };
  const orders = {
    decideWaitingOrders: jest.fn(async () => steps.push('decide waiting orders')),
    closeForErasure: jest.fn(async () => steps.push('close orders')),
  };
  const profile = { userId: OWNER };

  beforeEach(async () => {
    jest.clearAllMocks();
    steps = [];
    erased = false;
    const moduleRef = await Test.createTestingModule({
      providers: [UserEventsService, { provide: CustomersService, useValue: customers }, { provide: OrdersService, useValue: orders }],
    }).compile();
    service = moduleRef.get(UserEventsService);
  });

  it('keeps a new customer under the user lock, then decides the orders that waited for them', async () => {
    await service.known(manager as never, profile);
    expect(steps).toEqual(['lock user', 'upsert copy', 'decide waiting orders']);
    expect(orders.decideWaitingOrders).toHaveBeenCalledWith(manager, OWNER);
  });

  it('decides nothing on a stale event about an erased user', async () => {
    erased = true;
    await service.known(manager as never, profile);
    expect(steps).toEqual(['lock user', 'upsert copy']);
  });

  it('erases the copy before closing the orders (its row lock makes an order being placed finish first)', async () => {
    await service.erased(manager as never, OWNER);
    expect(steps).toEqual(['lock user', 'erase copy', 'close orders']);
  });
});
