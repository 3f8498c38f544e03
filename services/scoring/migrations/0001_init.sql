-- The scoring schema is created by the migration runner; the bus tables (outbox,
-- inbox_offsets, idempotency) come from common/. Domain tables arrive with
-- the service's methods, each in a migration of its own.
COMMENT ON SCHEMA scoring IS 'SEKLIK scoring service: only seklik-scoring reads or writes it';
