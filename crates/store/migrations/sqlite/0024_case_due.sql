-- Each case's legal due date, stored so that the worklist can take the cases whose term runs
-- out first from an index instead of ranking every open case in memory (at Rome scale an
-- old overdue case fell off a list made of the newest cases). It is derived data: the store
-- writes it whenever a case's filing date or status, a procedure's term or a rule's version
-- changes, and a one-off background job fills it in for cases older than this column.
ALTER TABLE cases ADD COLUMN due_on TEXT;
-- Open cases by due date (the worklist's first part), per organisation and overall.
CREATE INDEX cases_due_idx ON cases(due_on) WHERE due_on IS NOT NULL AND status NOT IN ('decided','closed');
CREATE INDEX cases_owner_due_idx ON cases(owner_org_id, due_on) WHERE due_on IS NOT NULL AND status NOT IN ('decided','closed');
-- Open cases newest first (the worklist's last part).
CREATE INDEX cases_open_created_idx ON cases(created_at) WHERE status <> 'closed';
CREATE INDEX cases_owner_created_idx ON cases(owner_org_id, created_at) WHERE status <> 'closed';
-- Open tasks by due date (cases with a task overdue).
CREATE INDEX case_tasks_open_due_idx ON case_tasks(due_on, case_id) WHERE done_at IS NULL;
