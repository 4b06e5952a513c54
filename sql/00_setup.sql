-- Set-up for the tests that follow (they share one database).
CREATE EXTENSION loadtest;
SET loadtest.progress_interval = 0;
SELECT extversion FROM pg_extension WHERE extname = 'loadtest';
