/**
 * Limits of an order (SPEC §2), one home for the public API's DTOs, the order events and
 * order-service's own rules.
 */
export const ORDER_LIMITS = {
  minItems: 1,
  maxItems: 100,
  minQuantity: 1,
  maxQuantity: 1000,
  minUnitPrice: 0,
  maxUnitPrice: 1_000_000_000,
} as const;

/** The order life cycle's statuses. */
export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REJECTED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses an admin may set through PATCH /admin/orders/:id/status. */
export const ADMIN_SETTABLE_STATUSES = ['SHIPPED', 'DELIVERED'] as const;
export type AdminSettableStatus = (typeof ADMIN_SETTABLE_STATUSES)[number];

/** What a SKU looks like. */
export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const SKU_MAX_LENGTH = 64;

/** ISO 4217 currency code: three upper-case letters. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
