/** Where a consumed event came from, and which consumer group read it. */
export interface EventOrigin {
  topic: string;
  partition: number;
  offset: string;
  consumerGroup: string;
}
