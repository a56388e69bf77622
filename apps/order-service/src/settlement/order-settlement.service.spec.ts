import { Test } from '@nestjs/testing';
import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OrderConfirmed, OrderRejected } from '@platform/contracts';
import { Outbox } from '@platform/messaging';
import { DataSource } from 'typeorm';
import { CustomersService, type CustomerStanding } from '../customers/customers.service';
import type { OrderEntity } from '../orders/order.entity';
import { anOrder, OWNER } from '../orders/order.fixtures';
import { OrdersService } from '../orders/orders.service';
import { OrderSettlementService, SETTLING_TRANSACTIONS } from './order-settlement.service';

describe('OrderSettlementService', () => {
  let service: OrderSettlementService;
  let stored: OrderEntity | null;
  let standing: CustomerStanding;
  const outbox = { add: jest.fn() };
  const manager = {
    findOne: jest.fn(async () => stored),
    update: jest.fn(async () => ({ affected: 1 })),
    find: jest.fn(async () => (stored ? [stored] : [])),
  };
  const dataSource = { transaction: jest.fn(async (work: (m: typeof manager) => Promise<unknown>) => work(manager)) };

  /** The first `count` transactions wait until the returned function is called; they then run on `on`. */
  function holdTransactions(count: number, on: unknown = manager): () => void {
    const held: (() => void)[] = [];
    dataSource.transaction.mockImplementation(async (work: (m: typeof manager) => Promise<unknown>) => {
      if (held.length < count) await new Promise<void>((resolve) => held.push(resolve));
      return work(on as typeof manager);
    });
    return () => held.forEach((release) => release());
  }

  beforeEach(async () => {
    jest.clearAllMocks();
    dataSource.transaction.mockImplementation(async (work) => work(manager));
    stored = anOrder();
    standing = 'active';
    const moduleRef = await Test.createTestingModule({
      providers: [
        OrderSettlementService,
        { provide: DataSource, useValue: dataSource },
        { provide: OrdersService, useValue: { onCreated: jest.fn() } },
        { provide: Outbox, useValue: outbox },
        { provide: CustomersService, useValue: { standing: jest.fn(async () => standing) } },
      ],
    }).compile();
    service = moduleRef.get(OrderSettlementService);
  });

  it('confirms a PENDING order of a known customer', async () => {
    await service.settle(manager as never, stored!.id);
    expect(stored!.status).toBe('CONFIRMED');
    expect(manager.update).toHaveBeenCalledWith(expect.anything(), { id: stored!.id }, expect.objectContaining({ status: 'CONFIRMED' }));
    expect(outbox.add).toHaveBeenCalledWith(manager, OrderConfirmed, expect.objectContaining({ orderId: stored!.id, total: 1000, currency: 'EUR' }));
  });

  it('leaves the order PENDING while the customer is not known yet', async () => {
    standing = 'unknown';
    await service.settle(manager as never, stored!.id);
    expect(stored!.status).toBe('PENDING');
    expect(outbox.add).not.toHaveBeenCalled();
  });

  it('rejects the order of an erased customer and forgets who placed it', async () => {
    standing = 'erased';
    await service.settle(manager as never, stored!.id);
    expect(stored).toMatchObject({ status: 'REJECTED', userId: null });
    expect(manager.update).toHaveBeenCalledWith(expect.anything(), { id: stored!.id }, expect.objectContaining({ status: 'REJECTED', userId: null }));
    expect(outbox.add).toHaveBeenCalledWith(manager, OrderRejected, expect.objectContaining({ userId: OWNER, reason: 'customer-deleted' }));
  });

  it('does nothing for an order that is no longer PENDING (a redelivered order.created)', async () => {
    stored = anOrder({ status: 'CANCELLED' });
    await service.settle(manager as never, stored.id);
    expect(stored.status).toBe('CANCELLED');
    expect(outbox.add).not.toHaveBeenCalled();
  });

  describe('new orders, right after their commit', () => {
    it('are settled in a transaction, and shutdown waits for it', async () => {
      const finish = holdTransactions(1);
      service.settleNewOrder(stored!.id);
      let closed = false;
      const closing = service.beforeApplicationShutdown().then(() => (closed = true));
      await Promise.resolve();
      expect(closed).toBe(false);
      finish();
      await closing;
      expect(stored!.status).toBe('CONFIRMED');
      expect(outbox.add).toHaveBeenCalledWith(manager, OrderConfirmed, expect.objectContaining({ orderId: stored!.id }));
    });

    it('are settled by SETTLING_TRANSACTIONS at most; an order that finds them all busy is left to its event', async () => {
      const release = holdTransactions(SETTLING_TRANSACTIONS);
      const first = Array.from({ length: SETTLING_TRANSACTIONS }, (_, index) => `order-${index}`);
      for (const id of [...first, 'left-to-its-event']) service.settleNewOrder(id);
      release();
      await service.beforeApplicationShutdown();
      expect(dataSource.transaction).toHaveBeenCalledTimes(SETTLING_TRANSACTIONS);
      const locked = manager.findOne.mock.calls.map((call) => (call as unknown as [unknown, { where: { id: string } }])[1].where.id);
      expect(locked).toEqual(first);
    });

    it('leave a failure to their order.created events: nothing thrown, and the next ones still settle', async () => {
      dataSource.transaction.mockRejectedValueOnce(new Error('connection terminated'));
      service.settleNewOrder('lost-to-the-event');
      await Promise.resolve();
      service.settleNewOrder(stored!.id);
      await expect(service.beforeApplicationShutdown()).resolves.toBeUndefined();
      expect(dataSource.transaction).toHaveBeenCalledTimes(2);
      expect(stored!.status).toBe('CONFIRMED');
    });

    it('are left to their events once shutdown has begun', async () => {
      await service.beforeApplicationShutdown();
      service.settleNewOrder(stored!.id);
      expect(dataSource.transaction).not.toHaveBeenCalled();
    });

    it('keep their slots when transactions fail: later orders still get one', async () => {
      dataSource.transaction.mockRejectedValue(new Error('connection terminated'));
      for (let i = 0; i < SETTLING_TRANSACTIONS; i++) service.settleNewOrder(`failing-${i}`);
      await new Promise((resolve) => setImmediate(resolve));
      dataSource.transaction.mockImplementation(async (work) => work(manager));
      service.settleNewOrder(stored!.id);
      await service.beforeApplicationShutdown();
      expect(dataSource.transaction).toHaveBeenCalledTimes(SETTLING_TRANSACTIONS + 1);
      expect(stored!.status).toBe('CONFIRMED');
    });

    describe('with trace contexts', () => {
      const request = createContextKey('the request that placed the order');
      const byId = { ...manager, findOne: jest.fn(async (_entity: unknown, options: { where: { id: string } }) => anOrder({ id: options.where.id })) };
      const contextManager = new AsyncLocalStorageContextManager();

      beforeAll(() => context.setGlobalContextManager(contextManager.enable()));
      afterAll(() => {
        contextManager.disable();
        context.disable();
      });

      it("write each order's event in the trace of the request that placed it, when several settle at once", async () => {
        const seen = new Map<string, unknown>();
        outbox.add.mockImplementation(async (_manager: unknown, _definition: unknown, payload: { orderId: string }) => {
          seen.set(payload.orderId, context.active().getValue(request));
        });
        const release = holdTransactions(SETTLING_TRANSACTIONS, byId);
        for (let i = 0; i < SETTLING_TRANSACTIONS; i++) {
          const id = `order-${i}`;
          context.with(ROOT_CONTEXT.setValue(request, `request of ${id}`), () => service.settleNewOrder(id));
        }
        release();
        await service.beforeApplicationShutdown();
        expect(seen.size).toBe(SETTLING_TRANSACTIONS);
        for (const [orderId, placedBy] of seen) expect(placedBy).toBe(`request of ${orderId}`);
      });
    });
  });
});
