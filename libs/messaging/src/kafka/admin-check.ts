import type { OnModuleDestroy } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';

/**
 * What a health check that asks Kafka needs: one admin client, connected on first use, dropped
 * when a call fails (the next check connects afresh, to whichever broker answers), closed with the app.
 */
export abstract class KafkaAdminCheck implements OnModuleDestroy {
  private admin?: Admin;

  protected constructor(private readonly adminKafka: Kafka) {}

  protected async withAdmin<T>(call: (admin: Admin) => Promise<T>): Promise<T> {
    this.admin ??= this.adminKafka.admin({ retry: { retries: 0 } });
    const admin = this.admin;
    try {
      await admin.connect();
      return await call(admin);
    } catch (error) {
      this.admin = undefined;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
