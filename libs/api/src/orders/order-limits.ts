/** Public limits of an order (SPEC section 2). */
export const ORDER_LIMITS = {
  minItems: 1,
  maxItems: 100,
  minQuantity: 1,
  maxQuantity: 1000,
  minUnitPrice: 0,
  maxUnitPrice: 1_000_000_000,
} as const;

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REJECTED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses an admin may set through PATCH /admin/orders/:id/status. */
export const ADMIN_SETTABLE_STATUSES = ['SHIPPED', 'DELIVERED'] as const;
export type AdminSettableStatus = (typeof ADMIN_SETTABLE_STATUSES)[number];
