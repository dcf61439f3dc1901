-- Found by timing every query of the busiest pages on the Rome world (bench/results.md):
-- the person page lists the records merged into the person, which scanned the whole
-- register (23 ms at 200,000 persons, twice per page); the people page lists the
-- organisation's newest records, which read and sorted the whole register (130 ms).
CREATE INDEX persons_merged_into_idx ON persons(merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX persons_owner_created_idx ON persons(owner_org_id, created_at);
CREATE INDEX persons_created_idx ON persons(created_at);
-- The new index leads with the owner, so it serves what this one did.
DROP INDEX persons_owner_idx;
