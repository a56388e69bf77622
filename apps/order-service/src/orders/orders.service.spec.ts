import { Test } from '@nestjs/testing';
import { OrderCancelled, OrderConfirmed, OrderCreated, OrderRejected } from '@platform/contracts';
import { Outbox } from '@platform/messaging';
import { DataSource } from 'typeorm';
import { CustomersService, type CustomerStanding } from '../customers/customers.service';
import { anOrder, OWNER } from './order.fixtures';
import { OrderEntity } from './order.entity';
import { OrdersService } from './orders.service';

const STRANGER = '22222222-2222-4222-8222-222222222222';

describe('OrdersService', () => {
  let service: OrdersService;
  let stored: OrderEntity | null;
  let standing: CustomerStanding;
  /** What the transaction did, in order. */
  let steps: string[];
  const outbox = {
    add: jest.fn(async (_manager: unknown, definition: { type: string }) => steps.push(`outbox ${definition.type}`)),
    addAll: jest.fn(async (_manager: unknown, events: { definition: { type: string } }[]) => events.forEach(({ definition }) => steps.push(`outbox ${definition.type}`))),
  };
  /** The payloads written to the outbox for an event type, in the transaction of `manager`, by add or addAll. */
  const written = (definition: unknown) => [
    ...outbox.add.mock.calls.filter(([on, what]) => on === manager && what === definition).map((call) => (call as unknown[])[2]),
    ...outbox.addAll.mock.calls.filter(([on]) => on === manager).flatMap(([, events]) => (events as { definition: unknown; payload: unknown }[]).filter((event) => event.definition === definition).map((event) => event.payload)),
  ];
  const manager = {
    findOne: jest.fn(async () => stored),
    find: jest.fn(async () => (stored ? [stored] : [])),
    update: jest.fn(async () => ({ affected: 1 })),
    insert: jest.fn(async (_entity: unknown, order: OrderEntity) => steps.push(`insert ${order.status} ${order.userId ?? 'anonymous'}`)),
  };
  const transaction = jest.fn(async (work: (m: typeof manager) => Promise<unknown>) => {
    const result = await work(manager);
    steps.push('commit');
    return result;
  });
  const repository = { findOneBy: jest.fn(async (where: Partial<OrderEntity>) => (stored && stored.id === where.id && stored.userId === where.userId ? stored : null)) };
  const customers = { standingForNewOrder: jest.fn(async () => standing) };

  beforeEach(async () => {
    jest.clearAllMocks();
    steps = [];
    stored = anOrder();
    standing = 'active';
    const moduleRef = await Test.createTestingModule({
      providers: [
        OrdersService,
        { provide: Outbox, useValue: outbox },
        { provide: CustomersService, useValue: customers },
        { provide: DataSource, useValue: { transaction, getRepository: () => repository } },
      ],
    }).compile();
    service = moduleRef.get(OrdersService);
  });

  describe('ownership', () => {
    it("answers another user's order as not found", async () => {
      await expect(service.get(STRANGER, stored!.id)).rejects.toMatchObject({ kind: 'not-found', code: 'ORDER.NOT_FOUND' });
      await expect(service.get(OWNER, stored!.id)).resolves.toBe(stored);
    });

    it("refuses to cancel another user's order, as not found, and changes nothing", async () => {
      await expect(service.cancel(STRANGER, stored!.id)).rejects.toMatchObject({ kind: 'not-found' });
      expect(stored!.status).toBe('PENDING');
      expect(steps.filter((step) => step.startsWith('outbox'))).toEqual([]);
    });
  });

  it('cancels the owner’s order and records order.cancelled in the same transaction', async () => {
    const order = await service.cancel(OWNER, stored!.id);
    expect(order.status).toBe('CANCELLED');
    expect(written(OrderCancelled)).toEqual([expect.objectContaining({ orderId: order.id, userId: OWNER, reason: 'customer-request' })]);
  });

  describe('a new order is decided in the transaction that creates it, from the customer copy', () => {
    const request = { currency: 'EUR', items: [{ sku: 'A-1', quantity: 2, unitPrice: 500 }] };

    it('CONFIRMED when the copy knows the customer: order.created and order.confirmed commit with it', async () => {
      const { order, created } = await service.create(OWNER, request);
      expect(created).toBe(true);
      expect(order).toMatchObject({ status: 'CONFIRMED', userId: OWNER, total: 1000 });
      expect(customers.standingForNewOrder).toHaveBeenCalledWith(manager, OWNER);
      expect(steps).toEqual([`insert CONFIRMED ${OWNER}`, 'outbox order.created', 'outbox order.confirmed', 'commit']);
      expect(written(OrderCreated)).toEqual([expect.objectContaining({ orderId: order.id, userId: OWNER, total: 1000 })]);
      expect(written(OrderConfirmed)).toEqual([expect.objectContaining({ orderId: order.id, userId: OWNER, total: 1000, currency: 'EUR' })]);
    });

    it('REJECTED, and stored anonymous, when the customer was erased (a token outlives its account)', async () => {
      standing = 'erased';
      const { order } = await service.create(OWNER, request, 'key-of-an-erased-user');
      expect(order).toMatchObject({ status: 'REJECTED', userId: OWNER });
      expect(steps).toEqual(['insert REJECTED anonymous', 'outbox order.created', 'outbox order.rejected', 'commit']);
      expect(manager.insert).toHaveBeenCalledWith(OrderEntity, expect.objectContaining({ userId: null, idempotencyKey: null, requestHash: null }));
      expect(written(OrderRejected)).toEqual([expect.objectContaining({ orderId: order.id, userId: OWNER, reason: 'customer-deleted' })]);
    });

    it('PENDING, with order.created only, while the copy has not heard of the customer', async () => {
      standing = 'unknown';
      const { order } = await service.create(OWNER, request);
      expect(order.status).toBe('PENDING');
      expect(steps).toEqual([`insert PENDING ${OWNER}`, 'outbox order.created', 'commit']);
    });

    it('is not placed again for an idempotent repeat', async () => {
      const first = await service.create(OWNER, request, 'key-1');
      repository.findOneBy.mockResolvedValueOnce(first.order);
      const repeat = await service.create(OWNER, request, 'key-1');
      expect(repeat).toEqual({ order: first.order, created: false });
      expect(transaction).toHaveBeenCalledTimes(1);
    });
  });

  describe('orders that waited for their customer', () => {
    it('are confirmed, oldest first, when the copy learns the customer', async () => {
      await service.decideWaitingOrders(manager as never, OWNER);
      expect(manager.find).toHaveBeenCalledWith(OrderEntity, expect.objectContaining({ where: { userId: OWNER, status: 'PENDING' }, order: { createdAt: 'ASC' } }));
      expect(stored!.status).toBe('CONFIRMED');
      expect(manager.update).toHaveBeenCalledWith(OrderEntity, { id: stored!.id }, expect.objectContaining({ status: 'CONFIRMED' }));
      expect(written(OrderConfirmed)).toEqual([expect.objectContaining({ orderId: stored!.id, userId: OWNER })]);
    });
  });

  describe('erasure', () => {
    it('rejects a PENDING order with its event and anonymises every order of the user', async () => {
      await service.closeForErasure(manager as never, OWNER);
      expect(stored).toMatchObject({ status: 'REJECTED', userId: null });
      expect(written(OrderRejected)).toEqual([expect.objectContaining({ orderId: stored!.id, userId: OWNER, reason: 'customer-deleted' })]);
      expect(manager.update).toHaveBeenLastCalledWith(OrderEntity, { userId: OWNER }, { userId: null, idempotencyKey: null, requestHash: null });
    });

    it('cancels a CONFIRMED order with its event', async () => {
      stored = anOrder({ status: 'CONFIRMED' });
      await service.closeForErasure(manager as never, OWNER);
      expect(stored.status).toBe('CANCELLED');
      expect(written(OrderCancelled)).toEqual([expect.objectContaining({ userId: OWNER, reason: 'customer-deleted' })]);
    });
  });
});
