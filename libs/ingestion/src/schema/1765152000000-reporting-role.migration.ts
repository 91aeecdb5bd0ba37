import type { MigrationInterface, QueryRunner } from 'typeorm';
import { REPORTING_ROLE } from './reporting.role.js';

/**
 * The read-only reporting role {@link REPORTING_ROLE}: a NOLOGIN group role with CONNECT on this
 * database, USAGE on the current schema and SELECT on every table and view in it, and default
 * privileges that give it SELECT on the tables and views later migrations create (as long as the
 * same role runs them; a later table analysts must not read revokes it in its own migration). It
 * gets no write privilege. The reports API and dashboard read through it (`reportingDataSourceOptions`);
 * analysts log in as a member of it (docs/reporting.md).
 *
 * Roles are cluster-wide, databases are not: several databases on one server (e.g. one per test)
 * share the role. `up` creates it when missing and tolerates a concurrent creator; its first grant
 * retries the creation if another database's `down` dropped the role in between (the grant then
 * locks the role until this transaction ends). `down` revokes this database's grants only, and drops
 * the role only when no database holds a privilege of it, no default privilege names it and no role
 * is a member of it; otherwise (or when a concurrent grant wins the race) the role stays.
 */
export class ReportingRole1765152000000 implements MigrationInterface {
  name = 'ReportingRole1765152000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        LOOP
          BEGIN
            EXECUTE format('GRANT CONNECT ON DATABASE %I TO ${REPORTING_ROLE}', current_database());
            EXIT;
          EXCEPTION WHEN undefined_object THEN
            BEGIN
              CREATE ROLE ${REPORTING_ROLE} NOLOGIN;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END;
          END;
        END LOOP;
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${REPORTING_ROLE}', current_schema());
        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO ${REPORTING_ROLE}', current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO ${REPORTING_ROLE}', current_schema());
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${REPORTING_ROLE}') THEN RETURN; END IF;
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES FROM ${REPORTING_ROLE}', current_schema());
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM ${REPORTING_ROLE}', current_schema());
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM ${REPORTING_ROLE}', current_schema());
        EXECUTE format('REVOKE ALL ON DATABASE %I FROM ${REPORTING_ROLE}', current_database());
        IF NOT EXISTS (SELECT FROM pg_shdepend WHERE refclassid = 'pg_authid'::regclass AND refobjid = '${REPORTING_ROLE}'::regrole)
           AND NOT EXISTS (SELECT FROM pg_auth_members WHERE roleid = '${REPORTING_ROLE}'::regrole) THEN
          BEGIN
            DROP ROLE ${REPORTING_ROLE};
          EXCEPTION WHEN dependent_objects_still_exist THEN NULL;
          END;
        END IF;
      END $$`);
  }
}
