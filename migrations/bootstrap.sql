-- One service's database and role, set up by a superuser before the
-- service's own migrations run (compose's `databases` service and
-- `cargo xtask up` run it once per service, every start; it is idempotent):
--
--   psql -v ON_ERROR_STOP=1 -v service=auth [-v database=auth]
--        [-v password=SECRET] -f migrations/bootstrap.sql
--
-- * The role `service` logs in and is nothing more: not a superuser, cannot
--   create databases or roles, replicate or bypass row security.
-- * The database (default: named after the service) belongs to the
--   superuser, so the role cannot drop it or change its settings; only the
--   role (and superusers) may connect.
-- * The role owns the database's `public` schema and everything in it
--   (objects left by migrations that ran as a superuser are handed over), so
--   `<service> migrate` works as the role.
-- * In auth's database, event triggers (which only a superuser can create,
--   alter, disable or drop) keep the audit log `security_events` append-only
--   against its owner too: an owner could otherwise drop or disable the
--   triggers that refuse UPDATE, DELETE and TRUNCATE. See audit_guard below.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\if :{?service}
\else
  \warn 'bootstrap.sql: pass -v service=<auth|users|messaging>'
  \quit 1
\endif
\if :{?database}
\else
  \set database :service
\endif

SELECT format('CREATE ROLE %I LOGIN', :'service')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'service') \gexec
-- Also for a role that existed already.
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', :'service') \gexec
\if :{?password}
SELECT format('ALTER ROLE %I PASSWORD %L', :'service', :'password') \gexec
\endif

SELECT format('CREATE DATABASE %I', :'database')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'database') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'database', :'service') \gexec

\connect :"database"

SET client_min_messages = warning;
SELECT set_config('bootstrap.service', :'service', false) IS NOT NULL AS service_set \gset
SELECT format('ALTER SCHEMA public OWNER TO %I', :'service') \gexec
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- Databases migrated by a superuser before this file existed: hand the
-- role what is in `public` (tables take their sequences along).
DO $$
DECLARE
    svc  text := current_setting('bootstrap.service');
    obj  record;
BEGIN
    FOR obj IN
        SELECT c.oid::regclass AS name
          FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace
           AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
           AND pg_get_userbyid(c.relowner) <> svc
           AND NOT EXISTS (SELECT FROM pg_depend d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                              AND d.refclassid = 'pg_class'::regclass
                              AND d.deptype IN ('a', 'i'))
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO %I', obj.name, svc);
    END LOOP;
    FOR obj IN
        SELECT p.oid::regprocedure AS name
          FROM pg_proc p
         WHERE p.pronamespace = 'public'::regnamespace
           AND pg_get_userbyid(p.proowner) <> svc
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %I', obj.name, svc);
    END LOOP;
END
$$;

-- The audit log's guard, in auth's database only (tests that bootstrap
-- a differently named role for auth pass -v audited=true).
\if :{?audited}
\else
  SELECT :'service' = 'auth' AS audited \gset
\endif
\if :audited

-- A schema of the superuser's: the role cannot replace these functions.
CREATE SCHEMA IF NOT EXISTS audit_guard;
REVOKE ALL ON SCHEMA audit_guard FROM PUBLIC;

-- After each DDL command of a non-superuser: whatever it did, the audit
-- table is still public.security_events, every trigger on it is enabled,
-- no other trigger, rule or policy was put on it, its trigger function
-- was not replaced and its schema not renamed. Otherwise the command
-- fails (and with it the transaction). Adding a column passes.
CREATE OR REPLACE FUNCTION audit_guard.on_ddl_command_end() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    audit  oid := to_regclass('public.security_events');
    guard  oid := to_regprocedure('public.security_events_append_only()');
    cmd    record;
    rel    oid;
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN;
    END IF;
    FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
        rel := NULL;
        IF cmd.classid = 'pg_class'::regclass THEN
            -- The audit table under whatever name it now has.
            SELECT t.tgrelid INTO rel FROM pg_trigger t
             WHERE t.tgrelid = cmd.objid AND t.tgfoid = guard LIMIT 1;
            IF rel IS NOT NULL AND (
                   rel IS DISTINCT FROM audit
                OR EXISTS (SELECT FROM pg_trigger t
                            WHERE t.tgrelid = rel AND NOT t.tgisinternal
                              AND t.tgenabled NOT IN ('O', 'A'))
                OR EXISTS (SELECT FROM pg_class c
                            WHERE c.oid = rel
                              AND (c.relrowsecurity OR c.relpersistence <> 'p')))
            THEN
                RAISE EXCEPTION 'security_events is append-only: % on it refused', cmd.command_tag
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            rel := NULL;
        ELSIF cmd.classid = 'pg_trigger'::regclass THEN
            SELECT t.tgrelid INTO rel FROM pg_trigger t
             WHERE t.oid = cmd.objid AND t.tgrelid = audit
               AND (cmd.command_tag <> 'CREATE TRIGGER' OR t.tgfoid IS DISTINCT FROM guard);
        ELSIF cmd.classid = 'pg_rewrite'::regclass THEN
            SELECT r.ev_class INTO rel FROM pg_rewrite r
             WHERE r.oid = cmd.objid AND r.ev_class = audit;
        ELSIF cmd.classid = 'pg_policy'::regclass THEN
            SELECT p.polrelid INTO rel FROM pg_policy p
             WHERE p.oid = cmd.objid AND p.polrelid = audit;
        ELSIF cmd.classid = 'pg_proc'::regclass THEN
            SELECT t.tgrelid INTO rel FROM pg_trigger t
             WHERE t.tgfoid = cmd.objid AND t.tgrelid = audit LIMIT 1;
        ELSIF cmd.classid = 'pg_namespace'::regclass THEN
            SELECT c.oid INTO rel FROM pg_class c
             WHERE c.oid = audit AND c.relnamespace = cmd.objid;
        END IF;
        IF rel IS NOT NULL THEN
            RAISE EXCEPTION 'security_events is append-only: % refused', cmd.command_tag
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
END
$$;

-- Dropping the table (DROP TABLE, DROP SCHEMA … CASCADE, DROP OWNED), one
-- of its columns, its triggers or their function.
CREATE OR REPLACE FUNCTION audit_guard.on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    obj record;
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN;
    END IF;
    FOR obj IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
        IF obj.object_identity = 'public.security_events'
           OR obj.object_identity = 'public.security_events_append_only()'
           OR (obj.object_type = 'table column'
               AND obj.object_identity LIKE 'public.security_events.%')
           OR (obj.object_type = 'trigger'
               AND obj.object_identity LIKE '% on public.security_events')
        THEN
            RAISE EXCEPTION 'security_events is append-only: dropping % refused', obj.object_identity
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
END
$$;

-- Rewriting the table (ALTER COLUMN … TYPE … USING, SET UNLOGGED) could
-- rewrite its rows without firing a row trigger.
CREATE OR REPLACE FUNCTION audit_guard.on_table_rewrite() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN;
    END IF;
    IF pg_event_trigger_table_rewrite_oid() = to_regclass('public.security_events') THEN
        RAISE EXCEPTION 'security_events is append-only: rewriting it refused'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;

DROP EVENT TRIGGER IF EXISTS audit_guard_ddl_command_end;
CREATE EVENT TRIGGER audit_guard_ddl_command_end ON ddl_command_end
    EXECUTE FUNCTION audit_guard.on_ddl_command_end();
DROP EVENT TRIGGER IF EXISTS audit_guard_sql_drop;
CREATE EVENT TRIGGER audit_guard_sql_drop ON sql_drop
    EXECUTE FUNCTION audit_guard.on_sql_drop();
DROP EVENT TRIGGER IF EXISTS audit_guard_table_rewrite;
CREATE EVENT TRIGGER audit_guard_table_rewrite ON table_rewrite
    EXECUTE FUNCTION audit_guard.on_table_rewrite();

\endif
