import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateOrderRequest } from './create-order.request';

const errorsOf = (body: object) =>
  validateSync(plainToInstance(CreateOrderRequest, body), { whitelist: true, forbidNonWhitelisted: true }).flatMap((error) => [
    error.property,
    ...(error.children ?? []).flatMap((child) => (child.children ?? []).map((leaf) => `${error.property}.${child.property}.${leaf.property}`)),
  ]);

describe('CreateOrderRequest', () => {
  it('accepts an order within the limits', () => {
    expect(errorsOf({ currency: 'EUR', items: [{ sku: 'A-1', quantity: 1000, unitPrice: 1_000_000_000 }] })).toEqual([]);
  });

  it('names the item field that is out of range', () => {
    expect(errorsOf({ currency: 'EUR', items: [{ sku: 'A-1', quantity: 1001, unitPrice: 0 }] })).toContain('items.0.quantity');
  });

  it('refuses fields a client must not set', () => {
    expect(errorsOf({ currency: 'EUR', total: 1, items: [{ sku: 'A-1', quantity: 1, unitPrice: 1 }] })).toContain('total');
  });
});
