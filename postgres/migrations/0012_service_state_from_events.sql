-- service_stage_state was never read here (a service's last events by type
-- come from the events); SQLite no longer keeps it either (its 0012), so
-- baton store copy has no rows for it.
DROP TABLE service_stage_state;
