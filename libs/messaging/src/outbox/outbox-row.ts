/** An outbox row as the relay claims it. */
export interface OutboxRow {
  id: string;
  event_type: string;
  topic: string;
  message_key: string;
  headers: Record<string, string>;
  payload: string;
}
