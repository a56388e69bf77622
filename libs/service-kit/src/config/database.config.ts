import { Matches } from 'class-validator';

/** What the `migrate` step needs: only the connection of the service's own role. */
export class DatabaseConfig {
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// connection string' })
  DATABASE_URL: string;
}
