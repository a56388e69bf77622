import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each notification gets its place in its user's stream, in commit order: a trigger numbers a
 * user's notifications from a per-user counter whose row stays locked until the notification's
 * transaction ends, so a notification with a higher number can only commit after every lower one
 * (created_at cannot say that: two events of one user handled at once commit in either order,
 * and a stream resumed after the later one skipped the other). The trigger numbers every insert,
 * whichever release makes it, so releases before this one keep writing as they did.
 */
export class NotificationsStreamOrder1765200000000 implements MigrationInterface {
  name = 'NotificationsStreamOrder1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications"."notifications" ADD COLUMN "stream_seq" bigint`);
    await queryRunner.query(`
      CREATE TABLE "notifications"."stream_positions" (
        "user_id" uuid PRIMARY KEY,
        "last_seq" bigint NOT NULL
      )`);
    await queryRunner.query(`
      CREATE FUNCTION "notifications"."number_in_stream"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO "notifications"."stream_positions" AS p ("user_id", "last_seq") VALUES (NEW."user_id", 1)
        ON CONFLICT ("user_id") DO UPDATE SET "last_seq" = p."last_seq" + 1
        RETURNING "last_seq" INTO NEW."stream_seq";
        RETURN NEW;
      END $$`);
    // Taken before the backfill: no notification is inserted until this migration has committed.
    await queryRunner.query(`
      CREATE TRIGGER "number_in_stream" BEFORE INSERT ON "notifications"."notifications"
      FOR EACH ROW EXECUTE FUNCTION "notifications"."number_in_stream"()`);
    // Notifications from before are numbered in the order the stream used to send them.
    await queryRunner.query(`
      UPDATE "notifications"."notifications" AS n SET "stream_seq" = ordered."seq"
      FROM (SELECT "id", row_number() OVER (PARTITION BY "user_id" ORDER BY "created_at", "id") AS "seq" FROM "notifications"."notifications") AS ordered
      WHERE n."id" = ordered."id"`);
    await queryRunner.query(`
      INSERT INTO "notifications"."stream_positions" ("user_id", "last_seq")
      SELECT "user_id", max("stream_seq") FROM "notifications"."notifications" GROUP BY "user_id"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "number_in_stream" ON "notifications"."notifications"`);
    await queryRunner.query(`DROP FUNCTION "notifications"."number_in_stream"()`);
    await queryRunner.query(`DROP TABLE "notifications"."stream_positions"`);
    await queryRunner.query(`ALTER TABLE "notifications"."notifications" DROP COLUMN "stream_seq"`);
  }
}
