-- The matcher's in-memory index catches up with the register before each search or
-- duplicate check by reading the persons changed since its watermark: without this index
-- that read scanned the whole register (a million rows) every time.
CREATE INDEX persons_updated_idx ON persons(updated_at);
