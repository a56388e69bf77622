import { IsInt, Matches, Max, Min } from 'class-validator';

/** The connection of the service's own database role (it reaches its own schema and nothing else). */
export class DatabaseConfig {
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// connection string' })
  DATABASE_URL: string;

  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_MAX: number = 10;
}
