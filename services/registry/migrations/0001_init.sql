-- The registry schema is created by the migration runner; the bus tables (outbox,
-- inbox_offsets, idempotency) come from common/. Domain tables arrive with
-- the service's methods, each in a migration of its own.
COMMENT ON SCHEMA registry IS 'SEKLIK registry service: only seklik-registry reads or writes it';
