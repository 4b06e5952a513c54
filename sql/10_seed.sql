--
-- loadtest_seed(): replaces the data of the membership schema by realistic,
-- skewed data.  The data are random, so only invariants are shown.  Leaves
-- the data of loadtest_seed(2000) behind for the tests that follow.
--
-- No line numbers of the function in the output.
\set SHOW_CONTEXT never
-- Bad member counts.
SELECT loadtest_seed(0);
SELECT loadtest_seed(-1);
SELECT loadtest_seed(NULL);
SELECT loadtest_seed(20000000);
-- Not for everyone.
SELECT has_function_privilege('public', 'loadtest_seed(integer)', 'execute') AS public_can_execute;
-- The smallest seed: at least 10 organizations.
SELECT loadtest_seed(1) LIKE 'seeded 1 members, 10 organizations, %' AS seeded;
SELECT (SELECT count(*) FROM membership.members) AS members,
       (SELECT count(*) FROM membership.organizations) AS organizations,
       (SELECT count(*) FROM membership.member_employments) BETWEEN 1 AND 4 AS employments_ok;
-- Seeding again replaces the data, ids restart at 1.
SELECT loadtest_seed(2000) LIKE 'seeded 2000 members, 100 organizations, %' AS seeded;
SELECT loadtest_seed(2000) AS summary \gset
SELECT :'summary' = format('seeded %s members, %s organizations, %s employments, '
                           '%s organization contacts, %s students, %s file attachments',
                           (SELECT count(*) FROM membership.members),
                           (SELECT count(*) FROM membership.organizations),
                           (SELECT count(*) FROM membership.member_employments),
                           (SELECT count(*) FROM membership.organization_contacts),
                           (SELECT count(*) FROM membership.students),
                           (SELECT count(*) FROM membership.file_attachments)) AS summary_matches;
SELECT count(*) AS members, min(member_id), max(member_id),
       count(DISTINCT email) = count(*) AS emails_unique,
       bool_and(email LIKE '%' || member_id || '@example.org') AS emails_carry_id
  FROM membership.members;
SELECT count(*) AS organizations, min(organization_id), max(organization_id)
  FROM membership.organizations;
SELECT (SELECT min(employment_id) FROM membership.member_employments) AS first_employment,
       (SELECT min(contact_id) FROM membership.organization_contacts) AS first_contact,
       (SELECT min(student_id) FROM membership.students) AS first_student,
       (SELECT min(attachment_id) FROM membership.file_attachments) AS first_attachment;
-- The indexes and foreign keys are back after the bulk load, and analyzed.
SELECT c.relname AS index_name, t.relname AS table_name
  FROM pg_index x
  JOIN pg_class c ON c.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
 WHERE t.relnamespace = 'membership'::regnamespace
 ORDER BY 1;
SELECT conname, conrelid::regclass AS table_name, confrelid::regclass AS referenced, convalidated
  FROM pg_constraint
 WHERE connamespace = 'membership'::regnamespace AND contype = 'f'
 ORDER BY 1;
SELECT tablename, count(*) > 0 AS analyzed
  FROM pg_stats
 WHERE schemaname = 'membership'
 GROUP BY 1
 ORDER BY 1;
-- Members: statuses and classifications with their shares (within six
-- standard deviations of the intended ones).
WITH intended(status, share) AS (
    VALUES ('active', 0.70), ('inactive', 0.12), ('pending', 0.08),
           ('lapsed', 0.07), ('suspended', 0.03)),
     seeded AS (
    SELECT status, count(*)::numeric / sum(count(*)) OVER () AS share
      FROM membership.members
     GROUP BY status)
SELECT i.status, abs(s.share - i.share) <= 6 * sqrt(i.share * (1 - i.share) / 2000) AS share_ok
  FROM intended i FULL JOIN seeded s USING (status)
 ORDER BY i.share DESC;
WITH intended(classification, share) AS (
    VALUES ('regular', 0.50), ('associate', 0.20), ('student', 0.12),
           ('retired', 0.10), ('life', 0.05), ('honorary', 0.03)),
     seeded AS (
    SELECT classification, count(*)::numeric / sum(count(*)) OVER () AS share
      FROM membership.members
     GROUP BY classification)
SELECT i.classification, abs(s.share - i.share) <= 6 * sqrt(i.share * (1 - i.share) / 2000) AS share_ok
  FROM intended i FULL JOIN seeded s USING (classification)
 ORDER BY i.share DESC;
-- Skewed names: Smith leads, and some names are rare.
SELECT mode() WITHIN GROUP (ORDER BY last_name) AS most_common_last_name,
       count(DISTINCT last_name) > 65 AS rare_names_too,
       count(*) FILTER (WHERE phone IS NULL) < 200 AS phones_mostly_set,
       bool_and(city IS NOT NULL) AS cities_set,
       bool_and(join_date <= current_date AND join_date > current_date - 7400) AS join_dates_ok,
       bool_and(birth_date IS NULL OR birth_date < join_date) AS birth_dates_ok,
       bool_and(created_at <= updated_at) AS timestamps_ok
  FROM membership.members;
-- Organizations.
SELECT bool_and(org_type IN ('company', 'nonprofit', 'government', 'university', 'hospital')) AS types_ok,
       mode() WITHIN GROUP (ORDER BY org_type) AS most_common_type,
       bool_and(name ~ '^\S+ .+ \S+$') AS names_ok,
       count(DISTINCT name) > 50 AS names_varied,
       bool_and(city IS NOT NULL) AS cities_set
  FROM membership.organizations;
-- Employments: 1 to 4 a member, exactly one current (the latest), the
-- others ended.
SELECT min(n) AS min_employments, max(n) AS max_employments,
       bool_and(current = 1) AS one_current_each,
       avg(n) BETWEEN 1.8 AND 2.3 AS average_ok
  FROM (SELECT m.member_id, count(e.*) AS n, count(*) FILTER (WHERE e.is_current) AS current
          FROM membership.members m
          LEFT JOIN membership.member_employments e USING (member_id)
         GROUP BY m.member_id) s;
SELECT is_current, status, end_date IS NULL AS open_ended, count(*) > 0 AS present
  FROM membership.member_employments
 GROUP BY 1, 2, 3
 ORDER BY 1, 2, 3;
SELECT count(*) AS out_of_order
  FROM membership.member_employments e
  JOIN membership.member_employments c ON c.member_id = e.member_id AND c.is_current
 WHERE NOT e.is_current
   AND (e.end_date <= e.start_date OR e.end_date >= c.start_date);
-- Employers are skewed: the biggest employs several times its fair share.
SELECT max(n) > 3 * avg(n) AS big_employers
  FROM (SELECT organization_id, count(*) AS n
          FROM membership.member_employments
         GROUP BY organization_id) s;
-- Contacts: 1 to 5 an organization, one primary each.
SELECT min(n) >= 1 AND max(n) <= 5 AS contacts_1_to_5, bool_and(primaries = 1) AS one_primary_each
  FROM (SELECT o.organization_id, count(c.*) AS n,
               count(*) FILTER (WHERE c.role = 'primary') AS primaries
          FROM membership.organizations o
          LEFT JOIN membership.organization_contacts c USING (organization_id)
         GROUP BY o.organization_id) s;
SELECT bool_and(role IN ('primary', 'billing', 'hr', 'technical', 'other')) AS roles_ok,
       count(DISTINCT role) >= 3 AS roles_varied
  FROM membership.organization_contacts;
-- Students: every member classified student, and about 3% of the others.
SELECT count(*) = count(DISTINCT member_id) AS unique_members,
       bool_and(graduation_year > extract(year FROM enrolled_at)) AS graduation_ok
  FROM membership.students;
SELECT count(*) FILTER (WHERE m.classification = 'student' AND s.member_id IS NULL) AS students_missing,
       abs(count(s.member_id) FILTER (WHERE m.classification <> 'student')::numeric
           / count(*) FILTER (WHERE m.classification <> 'student') - 0.03) < 0.025 AS others_ok
  FROM membership.members m
  LEFT JOIN membership.students s USING (member_id);
-- File attachments: 0 to 5 a member, about 2 on average.
SELECT min(n) AS min_files, max(n) AS max_files, avg(n) BETWEEN 1.8 AND 2.4 AS average_ok
  FROM (SELECT m.member_id, count(f.*) AS n
          FROM membership.members m
          LEFT JOIN membership.file_attachments f USING (member_id)
         GROUP BY m.member_id) s;
SELECT content_type,
       min(split_part(file_name, '.', 2)) AS extension,
       count(DISTINCT split_part(file_name, '.', 2)) AS extensions,
       count(*) > 0 AS present
  FROM membership.file_attachments
 GROUP BY content_type
 ORDER BY content_type;
SELECT count(*) = count(DISTINCT storage_key) AS keys_unique,
       bool_and(storage_key LIKE 'members/' || member_id || '/%') AS keys_ok,
       min(size_bytes) >= 1024 AND max(size_bytes) <= 52428800 AS sizes_in_range,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY size_bytes) BETWEEN 50000 AND 1000000 AS median_ok,
       bool_and(uploaded_at <= now()) AS uploaded_ok
  FROM membership.file_attachments;
