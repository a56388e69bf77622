import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Readiness, type ReadinessCheck } from './readiness';

@Injectable()
@Readiness()
export class DatabaseReadinessCheck implements ReadinessCheck {
  readonly name = 'database';

  constructor(private readonly dataSource: DataSource) {}

  async check() {
    await this.dataSource.query('SELECT 1');
  }
}
