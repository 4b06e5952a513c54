-- loadtest 1.6: the built-in workload, rows of loadtest.operations and
-- loadtest.patterns (the tables are in 10_schema.sql): the operations and
-- patterns of the reference guide, which versions up to 1.2 had in C.
-- Replayable: upgrades replay this file, which brings the built-in rows to
-- this version's definitions (defined_at: when they were installed); a row
-- a role defined is never touched.
--
-- Parameters are drawn as 1.2 drew them: ids of rows that exist when the
-- run starts (loadtest.hot_rows applies), pages mostly near the start of a
-- list, values from small vocabularies, phone numbers of four random
-- digits, e-mail addresses, file names and storage keys unique in the run
-- (the unique values contain the run id).  The statements name every
-- object with its schema: they run with search_path = pg_catalog, pg_temp.

INSERT INTO loadtest.operations AS t (operation, kind, statements, params, variants, builtin, description) VALUES
('read_member_list', 'read',
 ARRAY[$sql$SELECT member_id, first_name, last_name, email, status FROM membership.members ORDER BY member_id LIMIT 25 OFFSET $1$sql$],
 '[{"type": "page", "table": "membership.members", "size": 25, "max_pages": 200}]',
 NULL, true,
 'a page of 25 members ordered by id'),

('read_member_detail', 'read',
 ARRAY[$sql$SELECT member_id, first_name, last_name, email, phone, city, status, classification, join_date FROM membership.members WHERE member_id = $1$sql$,
       $sql$SELECT e.employment_id, e.title, e.status, e.is_current, e.start_date, e.end_date, o.organization_id, o.name FROM membership.member_employments e JOIN membership.organizations o ON o.organization_id = e.organization_id WHERE e.member_id = $1 ORDER BY e.is_current DESC, e.start_date DESC$sql$],
 '[{"type": "column", "table": "membership.members", "column": "member_id"}]',
 NULL, true,
 'one member, then its employments with their organizations'),

('search_members', 'read', NULL, NULL,
 $json$[
  {"weight": 1,
   "statements": ["SELECT member_id, first_name, last_name, email, status FROM membership.members WHERE status = $1 ORDER BY member_id LIMIT 25"],
   "params": [{"type": "column", "table": "membership.members", "column": "status", "distinct": true}]},
  {"weight": 1,
   "statements": ["SELECT member_id, first_name, last_name, email, status FROM membership.members WHERE classification = $1 ORDER BY member_id LIMIT 25"],
   "params": [{"type": "column", "table": "membership.members", "column": "classification", "distinct": true}]},
  {"weight": 1,
   "statements": ["SELECT member_id, first_name, last_name, email, status FROM membership.members WHERE last_name OPERATOR(pg_catalog.~>=~) $1 AND last_name OPERATOR(pg_catalog.~<~) (pg_catalog.left($1, -1) OPERATOR(pg_catalog.||) pg_catalog.chr(pg_catalog.ascii(pg_catalog.right($1, 1)) OPERATOR(pg_catalog.+) 1)) ORDER BY last_name, first_name LIMIT 25"],
   "params": [{"type": "column", "table": "membership.members", "column": "last_name", "prefix_length_min": 2, "prefix_length_max": 4}]}
 ]$json$, true,
 'members by status, by classification or by last-name prefix'),

('list_organizations', 'read',
 ARRAY[$sql$SELECT organization_id, name, org_type, city FROM membership.organizations ORDER BY name LIMIT 25 OFFSET $1$sql$],
 '[{"type": "page", "table": "membership.organizations", "size": 25, "max_pages": 200}]',
 NULL, true,
 'a page of 25 organizations ordered by name'),

('list_students', 'read',
 ARRAY[$sql$SELECT s.student_id, s.school, s.program, s.graduation_year, m.first_name, m.last_name FROM membership.students s JOIN membership.members m ON m.member_id = s.member_id ORDER BY s.student_id LIMIT 25 OFFSET $1$sql$],
 '[{"type": "page", "table": "membership.students", "size": 25, "max_pages": 200}]',
 NULL, true,
 'a page of 25 students with their members'' names'),

('create_member', 'write',
 ARRAY[$sql$INSERT INTO membership.members (first_name, last_name, email, phone, city, status, classification, join_date) VALUES ($1, $2, $3, $4, $5, 'pending', $6, CURRENT_DATE) RETURNING member_id$sql$],
 $json$[
  {"type": "choice", "values": ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "Maria", "Ahmed", "Wei", "Sofia", "Lucas", "Amara"]},
  {"type": "choice", "values": ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Nguyen", "Okafor", "Kowalski", "Tanaka"]},
  {"type": "unique", "prefix": "lt", "suffix": "@loadtest.example"},
  {"type": "text", "length": 4, "prefix": "+1-555-", "characters": "0123456789"},
  {"type": "choice", "values": ["Springfield", "Riverside", "Franklin", "Greenville", "Bristol", "Clinton", "Fairview", "Salem", "Madison", "Georgetown"]},
  {"type": "choice", "values": ["regular", "associate", "student", "retired"]}
 ]$json$,
 NULL, true,
 'insert a member'),

('update_member', 'write',
 ARRAY[$sql$UPDATE membership.members SET phone = $2, city = $3, updated_at = pg_catalog.now() WHERE member_id = $1 RETURNING member_id$sql$,
       $sql$UPDATE membership.member_employments SET updated_at = pg_catalog.now() WHERE member_id = $4 AND is_current$sql$],
 $json$[
  {"type": "column", "table": "membership.members", "column": "member_id"},
  {"type": "text", "length": 4, "prefix": "+1-555-", "characters": "0123456789"},
  {"type": "choice", "values": ["Springfield", "Riverside", "Franklin", "Greenville", "Bristol", "Clinton", "Fairview", "Salem", "Madison", "Georgetown"]},
  {"type": "result", "statement": 1, "column": "member_id"}
 ]$json$,
 NULL, true,
 'update a member''s phone and city, then touch its current employment'),

('create_employment', 'write',
 ARRAY[$sql$UPDATE membership.member_employments SET is_current = false, status = 'ended', end_date = CURRENT_DATE, updated_at = pg_catalog.now() WHERE member_id = $1 AND is_current$sql$,
       $sql$INSERT INTO membership.member_employments (member_id, organization_id, title, status, is_current, start_date) VALUES ($1, $2, $3, 'active', true, CURRENT_DATE)$sql$,
       $sql$UPDATE membership.members SET updated_at = pg_catalog.now() WHERE member_id = $1$sql$],
 $json$[
  {"type": "column", "table": "membership.members", "column": "member_id"},
  {"type": "column", "table": "membership.organizations", "column": "organization_id"},
  {"type": "choice", "values": ["Engineer", "Analyst", "Manager", "Nurse", "Teacher", "Consultant", "Technician", "Director", "Assistant", "Accountant"]}
 ]$json$,
 NULL, true,
 'end the current employment of a member, insert a new current one, then touch the member'),

('update_employment_status', 'write',
 ARRAY[$sql$UPDATE membership.member_employments SET status = $2, updated_at = pg_catalog.now() WHERE employment_id = $1$sql$],
 $json$[
  {"type": "column", "table": "membership.member_employments", "column": "employment_id"},
  {"type": "choice", "values": ["active", "on_leave", "probation", "ended"], "weights": [3, 1, 1, 1]}
 ]$json$,
 NULL, true,
 'change the status of an employment'),

('create_organization_contact', 'write',
 ARRAY[$sql$INSERT INTO membership.organization_contacts (organization_id, name, email, phone, role) VALUES ($1, $2 OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) $3, $4, $5, $6)$sql$],
 $json$[
  {"type": "column", "table": "membership.organizations", "column": "organization_id"},
  {"type": "choice", "values": ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "Maria", "Ahmed", "Wei", "Sofia", "Lucas", "Amara"]},
  {"type": "choice", "values": ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Nguyen", "Okafor", "Kowalski", "Tanaka"]},
  {"type": "unique", "prefix": "contact", "suffix": "@loadtest.example"},
  {"type": "text", "length": 4, "prefix": "+1-555-", "characters": "0123456789"},
  {"type": "choice", "values": ["primary", "billing", "hr", "technical", "other"]}
 ]$json$,
 NULL, true,
 'insert a contact of an organization'),

('list_file_attachments', 'read',
 ARRAY[$sql$SELECT attachment_id, file_name, content_type, size_bytes, uploaded_at FROM membership.file_attachments WHERE member_id = $1 ORDER BY uploaded_at DESC LIMIT 50$sql$],
 '[{"type": "column", "table": "membership.members", "column": "member_id"}]',
 NULL, true,
 'the attachments of a member, newest first'),

-- $2 is "extension content-type", split in two; $1 is cast where it first
-- appears, so that a statement prepared without parameter types infers
-- bigint for it (its other use is in a concatenation)
('create_file_attachment', 'write',
 ARRAY[$sql$INSERT INTO membership.file_attachments (member_id, file_name, content_type, size_bytes, storage_key) VALUES ($1::pg_catalog.int8, 'document-' OPERATOR(pg_catalog.||) $3 OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.split_part($2, ' ', 1), pg_catalog.split_part($2, ' ', 2), $4, 'loadtest/member-' OPERATOR(pg_catalog.||) $1 OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||) $3)$sql$],
 $json$[
  {"type": "column", "table": "membership.members", "column": "member_id"},
  {"type": "choice",
   "values": ["pdf application/pdf", "png image/png", "jpg image/jpeg",
              "docx application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "xlsx application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "txt text/plain"],
   "weights": [2, 1, 1, 1, 1, 1]},
  {"type": "unique"},
  {"type": "int", "min": 1024, "max": 16777216, "distribution": "log_uniform"}
 ]$json$,
 NULL, true,
 'insert an attachment''s metadata'),

('read_file_metadata', 'read',
 ARRAY[$sql$SELECT attachment_id, member_id, file_name, content_type, size_bytes, storage_key, uploaded_at FROM membership.file_attachments WHERE attachment_id = $1$sql$],
 '[{"type": "column", "table": "membership.file_attachments", "column": "attachment_id"}]',
 NULL, true,
 'one attachment by primary key')
ON CONFLICT (operation) DO UPDATE
   SET kind = excluded.kind, statements = excluded.statements, params = excluded.params,
       variants = excluded.variants, description = excluded.description,
       defined_at = excluded.defined_at
 WHERE t.builtin;

-- The patterns of the reference guide (weights in percent, as in 1.2's
-- src/patterns.c), and "distributed", the default, which shares users
-- among them.
INSERT INTO loadtest.patterns AS t (pattern, weights, mix, builtin, description) VALUES
('read_heavy',
 '{"read_member_list": 25, "read_member_detail": 25, "search_members": 20, "list_organizations": 10, "list_students": 10,
   "create_member": 2, "update_member": 3, "create_employment": 2, "update_employment_status": 2, "create_organization_contact": 1}',
 NULL, true,
 'reporting and dashboard usage: 90% reads, 10% writes'),
('write_heavy',
 '{"read_member_list": 8, "read_member_detail": 10, "search_members": 8, "list_organizations": 2, "list_students": 2,
   "create_member": 15, "update_member": 20, "create_employment": 12, "update_employment_status": 15, "create_organization_contact": 8}',
 NULL, true,
 'data entry: 30% reads, 70% writes'),
('mixed',
 '{"read_member_list": 15, "read_member_detail": 18, "search_members": 15, "list_organizations": 6, "list_students": 6,
   "create_member": 8, "update_member": 12, "create_employment": 7, "update_employment_status": 8, "create_organization_contact": 5}',
 NULL, true,
 '60% reads, 40% writes'),
('file_operations',
 '{"list_file_attachments": 45, "create_file_attachment": 20, "read_file_metadata": 35}',
 NULL, true,
 'file attachment operations only: 80% reads, 20% writes'),
('distributed',
 NULL,
 '{"read_heavy": 50, "write_heavy": 20, "mixed": 25, "file_operations": 5}', true,
 'users shared among read_heavy (50%), write_heavy (20%), mixed (25%) and file_operations (5%); the default')
ON CONFLICT (pattern) DO UPDATE
   SET weights = excluded.weights, mix = excluded.mix, description = excluded.description,
       defined_at = excluded.defined_at
 WHERE t.builtin;
