-- A service's last event of each type is read from the events (through
-- events_type_scope), as PostgreSQL does, instead of a row upserted on
-- every stored event.
DROP TABLE service_stage_state;
