-- loadtest 1.6: loadtest_seed(), which fills the membership schema with
-- realistic, skewed data for the simulated users to work on.
--
-- Set-based throughout: every table is one INSERT ... SELECT over
-- generate_series (or over the rows inserted before it).  Foreign keys and
-- secondary indexes are dropped for the bulk load and put back from their
-- own definitions afterwards, which is several times faster than checking
-- and maintaining them row by row.
--
-- Run by the owner of the tables (the usual case), the ids restart at 1 and
-- the dropping described above applies.  Any other role needs SELECT,
-- INSERT and TRUNCATE on the tables and USAGE on their sequences; it gets
-- the same data, loaded more slowly, with ids continuing from the sequences
-- and the tables left for autovacuum to analyze.  Either way each table's
-- ids are dense, so that the workers can draw them uniformly from
-- [min, max].

CREATE OR REPLACE FUNCTION loadtest_seed(members integer DEFAULT 10000)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $seed$
DECLARE
    -- Common last names, most frequent first (drawn with a Zipf-like skew).
    last_names text[] := ARRAY[
        'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller',
        'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez',
        'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
        'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark',
        'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King',
        'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green',
        'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell',
        'Carter', 'Roberts', 'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz',
        'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes', 'Stewart', 'Morris',
        'Murphy', 'Cook', 'Rogers'];
    -- Parts of rare, generated last names (about 5% of members).
    rare_heads text[] := ARRAY[
        'Ka', 'Lo', 'Mir', 'Dra', 'Vel', 'Os', 'Bran', 'Ti', 'Nor', 'Gal',
        'Zo', 'Fel', 'Mont', 'Quin', 'Ash', 'Bel', 'Cor', 'Hald', 'Ysel', 'Tor'];
    rare_middles text[] := ARRAY[
        'a', 'e', 'i', 'o', 'u', 'an', 'er', 'in', 'or', 'ov', 'el', 'ath',
        'ri', 'ven', 'ke'];
    rare_tails text[] := ARRAY[
        'wick', 'ham', 'berg', 'rin', 'ski', 'quist', 'sen', 'ley', 'dottir',
        'escu', 'opoulos', 'aki', 'ton', 'more', 'vic'];
    first_names text[] := ARRAY[
        'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael',
        'Linda', 'William', 'Elizabeth', 'David', 'Barbara', 'Richard', 'Susan',
        'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
        'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty',
        'Anthony', 'Margaret', 'Mark', 'Sandra', 'Donald', 'Ashley', 'Steven',
        'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle',
        'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Dorothy', 'George',
        'Melissa', 'Timothy', 'Deborah', 'Ahmed', 'Priya', 'Wei', 'Sofia',
        'Luca', 'Yuki', 'Olga', 'Mateo', 'Fatima', 'Aisha', 'Noah', 'Emma'];
    -- Largest first (drawn with skew).
    cities text[] := ARRAY[
        'New York', 'Los Angeles', 'Chicago', 'Houston', 'Phoenix',
        'Philadelphia', 'San Antonio', 'San Diego', 'Dallas', 'Austin',
        'Jacksonville', 'San Jose', 'Fort Worth', 'Columbus', 'Charlotte',
        'Indianapolis', 'San Francisco', 'Seattle', 'Denver', 'Boston',
        'Nashville', 'Portland', 'Detroit', 'Memphis', 'Baltimore',
        'Milwaukee', 'Albuquerque', 'Tucson', 'Sacramento', 'Atlanta', 'Omaha',
        'Raleigh', 'Miami', 'Minneapolis', 'Cleveland', 'Pittsburgh',
        'Cincinnati', 'Madison', 'Boise', 'Burlington'];
    org_words text[] := ARRAY[
        'Acme', 'Global', 'United', 'Pacific', 'Northern', 'Summit', 'Pioneer',
        'Blue', 'Silver', 'Golden', 'Evergreen', 'Atlas', 'Apex', 'Cedar',
        'Harbor', 'Liberty', 'Metro', 'Prime', 'Redwood', 'River', 'Granite',
        'Horizon', 'Keystone', 'Lakeside', 'Maple', 'Oakridge', 'Pinnacle',
        'Sterling', 'Sunrise', 'Vertex', 'Westfield', 'Bright', 'Crescent',
        'Eastgate', 'Falcon', 'Ironwood'];
    company_words text[] := ARRAY[
        'Systems', 'Health', 'Logistics', 'Energy', 'Financial', 'Foods',
        'Software', 'Media', 'Analytics', 'Manufacturing', 'Consulting',
        'Engineering', 'Networks', 'Builders', 'Pharma', 'Labs', 'Retail',
        'Capital', 'Insurance', 'Transport', 'Robotics', 'Materials', 'Design',
        'Dynamics', 'Solutions', 'Technologies', 'Telecom', 'Aerospace'];
    company_suffixes text[] := ARRAY[
        'Inc.', 'LLC', 'Ltd.', 'Corp.', 'Group', 'Holdings', '& Co.',
        'Partners', 'International'];
    nonprofit_words text[] := ARRAY[
        'Community', 'Heritage', 'Family', 'Youth', 'Arts', 'Education',
        'Health', 'Environmental', 'Veterans', 'Literacy', 'Wildlife', 'Housing'];
    nonprofit_suffixes text[] := ARRAY[
        'Foundation', 'Association', 'Society', 'Alliance', 'Trust', 'Network'];
    government_words text[] := ARRAY[
        'Transportation', 'Revenue', 'Housing', 'Water', 'Public Works',
        'Planning', 'Licensing', 'Parks', 'Health', 'Labor'];
    government_suffixes text[] := ARRAY[
        'Agency', 'Authority', 'Commission', 'Bureau', 'Office', 'Department'];
    university_words text[] := ARRAY[
        'State', 'Technical', 'Polytechnic', 'Metropolitan', 'Valley',
        'Coastal', 'Central', 'Western', 'Southern', 'Community'];
    university_suffixes text[] := ARRAY[
        'University', 'College', 'Institute', 'Academy'];
    hospital_words text[] := ARRAY[
        'General', 'Memorial', 'Regional', 'Community', 'Children''s',
        'University', 'Mercy', 'Sacred Heart', 'Veterans', 'Methodist'];
    hospital_suffixes text[] := ARRAY[
        'Hospital', 'Medical Center', 'Clinic', 'Health System'];
    -- Most common first.
    titles text[] := ARRAY[
        'Analyst', 'Engineer', 'Manager', 'Sales Representative',
        'Administrator', 'Consultant', 'Accountant', 'Nurse', 'Teacher',
        'Senior Engineer', 'Coordinator', 'Specialist', 'Developer',
        'Technician', 'Project Manager', 'Designer', 'Assistant',
        'Researcher', 'Director', 'Physician', 'Professor', 'Clerk', 'Intern',
        'Vice President', 'Chief Financial Officer'];
    schools text[] := ARRAY[
        'State University', 'City College', 'Institute of Technology',
        'Community College', 'Polytechnic University', 'School of Nursing',
        'Business School', 'Law School', 'Medical School', 'Art Institute',
        'University of the West', 'Northern University', 'Coastal College',
        'Open University', 'Technical College'];
    programs text[] := ARRAY[
        'Business Administration', 'Computer Science', 'Nursing',
        'Psychology', 'Mechanical Engineering', 'Biology', 'Education',
        'Economics', 'Accounting', 'Law', 'Medicine', 'Graphic Design',
        'Data Science', 'Public Health', 'Architecture', 'Civil Engineering',
        'Political Science', 'Social Work'];

    norgs       integer;
    org_mult    bigint;
    org_shift   bigint;
    n_orgs      bigint;
    n_members   bigint;
    n_employ    bigint;
    n_contacts  bigint;
    n_students  bigint;
    n_files     bigint;
    tables      regclass[] := ARRAY['membership.organizations',
                                    'membership.members',
                                    'membership.member_employments',
                                    'membership.organization_contacts',
                                    'membership.students',
                                    'membership.file_attachments'];
    fk_drops    text[];
    fk_adds     text[];
    idx_drops   text[];
    idx_adds    text[];
    stmt        text;
    is_owner    boolean;
    members_seq regclass := pg_get_serial_sequence('membership.members', 'member_id');
BEGIN
    IF members IS NULL OR members < 1 OR members > 10000000 THEN
        RAISE EXCEPTION 'members must be between 1 and 10000000'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('loadtest_seed() was called with members = %s.',
                                  coalesce(members::text, 'NULL')),
                  HINT = 'Pass the number of members to seed, for example SELECT loadtest_seed(10000).';
    END IF;

    norgs := greatest(10, members / 20);
    org_mult := floor(norgs * 0.6180339887)::bigint;
    WHILE gcd(org_mult, norgs::bigint) <> 1 LOOP
        org_mult := org_mult + 1;
    END LOOP;
    org_shift := floor(random() * norgs)::bigint;

    -- Owning the tables and their sequences is what RESTART IDENTITY, DROP
    -- INDEX, ALTER TABLE and ANALYZE ask for.
    SELECT bool_and(pg_has_role(c.relowner, 'USAGE'))
      INTO is_owner
      FROM pg_class c
     WHERE c.oid = ANY (tables)
        OR c.oid IN (SELECT d.objid
                       FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass
                        AND d.refclassid = 'pg_class'::regclass
                        AND d.refobjid = ANY (tables)
                        AND d.deptype IN ('a', 'i'));

    -- Re-seeding replaces the data.
    IF is_owner THEN
        TRUNCATE membership.file_attachments,
                 membership.students,
                 membership.organization_contacts,
                 membership.member_employments,
                 membership.members,
                 membership.organizations
            RESTART IDENTITY;
    ELSE
        TRUNCATE membership.file_attachments,
                 membership.students,
                 membership.organization_contacts,
                 membership.member_employments,
                 membership.members,
                 membership.organizations;
    END IF;

    -- Bulk-load without the foreign keys and the secondary indexes (those
    -- not backing a constraint): checking or maintaining them row by row
    -- costs several times more than validating or building them once at
    -- the end.  Both are put back from their own definitions below, under
    -- the same names.
    SELECT array_agg(format('ALTER TABLE %s DROP CONSTRAINT %I', k.conrelid::regclass, k.conname)
                     ORDER BY k.oid),
           array_agg(format('ALTER TABLE %s ADD CONSTRAINT %I %s', k.conrelid::regclass, k.conname,
                            pg_get_constraintdef(k.oid))
                     ORDER BY k.oid)
      INTO fk_drops, fk_adds
      FROM pg_constraint k
     WHERE is_owner
       AND k.contype = 'f'
       AND k.conrelid = ANY (tables);

    SELECT array_agg(format('DROP INDEX %s', ic.oid::regclass) ORDER BY ic.oid),
           array_agg(pg_get_indexdef(ic.oid) ORDER BY ic.oid)
      INTO idx_drops, idx_adds
      FROM pg_index x
      JOIN pg_class ic ON ic.oid = x.indexrelid
     WHERE is_owner
       AND x.indrelid = ANY (tables)
       AND ic.reltablespace = 0
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = ic.oid);

    FOREACH stmt IN ARRAY coalesce(fk_drops, '{}') || coalesce(idx_drops, '{}') LOOP
        EXECUTE stmt;
    END LOOP;

    INSERT INTO membership.organizations (name, org_type, city, created_at)
    SELECT CASE o.t
               WHEN 1 THEN org_words[1 + floor(o.r1 * array_length(org_words, 1))::int] || ' '
                        || company_words[1 + floor(o.r2 * array_length(company_words, 1))::int] || ' '
                        || company_suffixes[1 + floor(o.r3 * array_length(company_suffixes, 1))::int]
               WHEN 2 THEN org_words[1 + floor(o.r1 * array_length(org_words, 1))::int] || ' '
                        || nonprofit_words[1 + floor(o.r2 * array_length(nonprofit_words, 1))::int] || ' '
                        || nonprofit_suffixes[1 + floor(o.r3 * array_length(nonprofit_suffixes, 1))::int]
               WHEN 3 THEN org_words[1 + floor(o.r1 * array_length(org_words, 1))::int] || ' '
                        || government_words[1 + floor(o.r2 * array_length(government_words, 1))::int] || ' '
                        || government_suffixes[1 + floor(o.r3 * array_length(government_suffixes, 1))::int]
               WHEN 4 THEN org_words[1 + floor(o.r1 * array_length(org_words, 1))::int] || ' '
                        || university_words[1 + floor(o.r2 * array_length(university_words, 1))::int] || ' '
                        || university_suffixes[1 + floor(o.r3 * array_length(university_suffixes, 1))::int]
               ELSE        org_words[1 + floor(o.r1 * array_length(org_words, 1))::int] || ' '
                        || hospital_words[1 + floor(o.r2 * array_length(hospital_words, 1))::int] || ' '
                        || hospital_suffixes[1 + floor(o.r3 * array_length(hospital_suffixes, 1))::int]
           END,
           (ARRAY['company', 'nonprofit', 'government', 'university', 'hospital'])[o.t],
           cities[1 + floor(array_length(cities, 1) * o.r4 ^ 2)::int],
           now() - o.r5 * interval '20 years'
      FROM (SELECT r.r1, r.r2, r.r3, r.r4, r.r5,
                   CASE WHEN r.rt < 0.60 THEN 1
                        WHEN r.rt < 0.75 THEN 2
                        WHEN r.rt < 0.85 THEN 3
                        WHEN r.rt < 0.93 THEN 4
                        ELSE 5 END AS t
              FROM (SELECT random() AS rt, random() AS r1, random() AS r2,
                           random() AS r3, random() AS r4, random() AS r5
                      FROM generate_series(1, norgs)
                    OFFSET 0) r) o;
    GET DIAGNOSTICS n_orgs = ROW_COUNT;

    -- Members.  The id is drawn here rather than by the column default so
    -- that the e-mail address can carry it, which makes it unique.
    INSERT INTO membership.members
           (member_id, first_name, last_name, email, phone, city, status,
            classification, join_date, birth_date, created_at, updated_at)
    SELECT m.g, m.first_name, m.last_name,
           lower(replace(m.first_name || '.' || m.last_name, ' ', '')) || m.g || '@example.org',
           m.phone, m.city, m.status, m.classification,
           m.join_date, m.birth_date,
           m.created_at,
           m.created_at + m.r_upd * extract(epoch FROM now() - m.created_at) * interval '1 second'
      FROM (SELECT d.*,
                   least(now(), d.join_date + interval '8 hours' + d.r_ct * interval '10 hours') AS created_at
              FROM (SELECT c.*,
                           CASE
                               WHEN c.status = 'pending'
                                   THEN current_date - floor(c.r_join * 90)::int
                               WHEN c.birth_date IS NULL
                                   THEN current_date - floor(7300 * c.r_join ^ 1.3)::int
                               ELSE least(current_date,
                                          greatest(c.birth_date + 6574,
                                                   current_date - floor(7300 * c.r_join ^ 1.3)::int))
                           END AS join_date
                      FROM (SELECT b.g, b.first_name, b.last_name, b.phone, b.city,
                                   b.status, b.classification, b.r_join, b.r_ct, b.r_upd,
                                   CASE WHEN b.r_nobirth < 0.02 THEN NULL
                                        ELSE current_date - floor(365.25 *
                                            CASE b.classification
                                                WHEN 'student' THEN 18 + 12 * b.r_age
                                                WHEN 'retired' THEN 60 + 30 * b.r_age
                                                ELSE 22 + 53 * b.r_age ^ 1.3
                                            END)::int
                                   END AS birth_date
                              FROM (SELECT r.g, r.r_join, r.r_ct, r.r_upd, r.r_age, r.r_nobirth,
                                           first_names[1 + floor(array_length(first_names, 1) * r.r_first ^ 1.5)::int] AS first_name,
                                           CASE WHEN r.r_rare < 0.05
                                                THEN rare_heads[1 + floor(r.r_l1 * array_length(rare_heads, 1))::int]
                                                     || rare_middles[1 + floor(r.r_l2 * array_length(rare_middles, 1))::int]
                                                     || rare_tails[1 + floor(r.r_l3 * array_length(rare_tails, 1))::int]
                                                ELSE last_names[1 + floor(array_length(last_names, 1) * r.r_l1 ^ 2)::int]
                                           END AS last_name,
                                           CASE WHEN r.r_phone < 0.05 THEN NULL
                                                ELSE '+1-' || (200 + floor(r.r_phone * 800)::int)
                                                     || '-555-' || lpad(floor(r.r_line * 10000)::int::text, 4, '0')
                                           END AS phone,
                                           cities[1 + floor(array_length(cities, 1) * r.r_city ^ 2)::int] AS city,
                                           CASE WHEN r.r_status < 0.70 THEN 'active'
                                                WHEN r.r_status < 0.82 THEN 'inactive'
                                                WHEN r.r_status < 0.90 THEN 'pending'
                                                WHEN r.r_status < 0.97 THEN 'lapsed'
                                                ELSE 'suspended' END AS status,
                                           CASE WHEN r.r_class < 0.50 THEN 'regular'
                                                WHEN r.r_class < 0.70 THEN 'associate'
                                                WHEN r.r_class < 0.82 THEN 'student'
                                                WHEN r.r_class < 0.92 THEN 'retired'
                                                WHEN r.r_class < 0.97 THEN 'life'
                                                ELSE 'honorary' END AS classification
                                      FROM (SELECT nextval(members_seq) AS g,
                                                   random() AS r_first, random() AS r_rare,
                                                   random() AS r_l1, random() AS r_l2, random() AS r_l3,
                                                   random() AS r_phone, random() AS r_line, random() AS r_city,
                                                   random() AS r_status, random() AS r_class,
                                                   random() AS r_age, random() AS r_nobirth,
                                                   random() AS r_join, random() AS r_ct, random() AS r_upd
                                              FROM generate_series(1, members)
                                            OFFSET 0) r
                                    OFFSET 0) b
                            OFFSET 0) c
                    OFFSET 0) d
            OFFSET 0) m;
    GET DIAGNOSTICS n_members = ROW_COUNT;

    -- Employments: 1 to 4 a member; the latest is the current one.  Slot j
    -- counts back from the current job (j = 0): it started 100..999 days
    -- before 1100 * j days ago and ended 0..99 days before the next one
    -- started.  Employers are drawn with a Zipf-like skew over ranks; rank r
    -- is the ((r * org_mult + org_shift) % norgs)-th organization by id, a
    -- permutation (org_mult is coprime with norgs) that scatters the big
    -- employers over the id range.
    INSERT INTO membership.member_employments
           (member_id, organization_id, title, status, is_current,
            start_date, end_date, updated_at)
    SELECT e.member_id,
           o.organization_id,
           titles[1 + floor(array_length(titles, 1) * e.r_title ^ 1.7)::int],
           CASE WHEN e.j = 0 THEN 'active' ELSE 'ended' END,
           e.j = 0,
           current_date - (e.j * 1100 + 100 + floor(e.r_start * 900)::int),
           CASE WHEN e.j = 0 THEN NULL
                ELSE current_date - (e.j * 1100 - 100 + floor(e.r_end * 100)::int) END,
           least(now(), CASE WHEN e.j = 0
                             THEN current_date - (e.j * 1100 + 100 + floor(e.r_start * 900)::int)
                             ELSE current_date - (e.j * 1100 - 100 + floor(e.r_end * 100)::int)
                        END + interval '9 hours' + e.r_end * interval '8 hours')
      FROM (SELECT k.member_id, k.n - s.seq AS j,
                   random() AS r_org, random() AS r_title,
                   random() AS r_start, random() AS r_end
              FROM (SELECT x.member_id,
                           CASE WHEN x.r < 0.38 THEN 1
                                WHEN x.r < 0.75 THEN 2
                                WHEN x.r < 0.92 THEN 3
                                ELSE 4 END AS n
                      FROM (SELECT member_id, random() AS r
                              FROM membership.members
                            OFFSET 0) x) k
              CROSS JOIN LATERAL generate_series(1, k.n) AS s(seq)
            OFFSET 0) e
      JOIN (SELECT organization_id,
                   row_number() OVER (ORDER BY organization_id) - 1 AS pos
              FROM membership.organizations) o
        ON o.pos = (floor(norgs * e.r_org ^ 2.5)::bigint * org_mult + org_shift) % norgs;
    GET DIAGNOSTICS n_employ = ROW_COUNT;

    -- Contacts: 1 to 5 an organization, the first one the primary contact.
    INSERT INTO membership.organization_contacts
           (organization_id, name, email, phone, role, created_at)
    SELECT c.organization_id,
           c.first_name || ' ' || c.last_name,
           lower(c.first_name || '.' || c.last_name) || '@org' || c.organization_id || '.example.com',
           CASE WHEN c.r_phone < 0.10 THEN NULL
                ELSE '+1-' || (200 + floor(c.r_phone * 800)::int)
                     || '-555-' || lpad(floor(c.r_num * 10000)::int::text, 4, '0') END,
           CASE WHEN c.seq = 1 THEN 'primary'
                WHEN c.r_role < 0.30 THEN 'billing'
                WHEN c.r_role < 0.60 THEN 'hr'
                WHEN c.r_role < 0.85 THEN 'technical'
                ELSE 'other' END,
           c.created_at + c.r_ct * extract(epoch FROM now() - c.created_at) * interval '1 second'
      FROM (SELECT k.organization_id, k.created_at, s.seq,
                   first_names[1 + floor(random() * array_length(first_names, 1))::int] AS first_name,
                   last_names[1 + floor(array_length(last_names, 1) * random() ^ 2)::int] AS last_name,
                   random() AS r_phone, random() AS r_num, random() AS r_role, random() AS r_ct
              FROM (SELECT x.organization_id, x.created_at,
                           CASE WHEN x.r < 0.30 THEN 1
                                WHEN x.r < 0.60 THEN 2
                                WHEN x.r < 0.80 THEN 3
                                WHEN x.r < 0.92 THEN 4
                                ELSE 5 END AS n
                      FROM (SELECT organization_id, created_at, random() AS r
                              FROM membership.organizations
                            OFFSET 0) x) k
              CROSS JOIN LATERAL generate_series(1, k.n) AS s(seq)
            OFFSET 0) c;
    GET DIAGNOSTICS n_contacts = ROW_COUNT;

    -- Students: every member classified 'student' and about 3% of the others.
    INSERT INTO membership.students
           (member_id, school, program, graduation_year, enrolled_at)
    SELECT s.member_id,
           schools[1 + floor(array_length(schools, 1) * s.r_school ^ 1.5)::int],
           programs[1 + floor(array_length(programs, 1) * s.r_program ^ 1.5)::int],
           extract(year FROM s.enrolled_at)::integer + 2 + floor(s.r_years * 4)::integer,
           s.enrolled_at
      FROM (SELECT member_id,
                   current_date - floor(random() * 1800)::int AS enrolled_at,
                   random() AS r_school, random() AS r_program, random() AS r_years
              FROM membership.members
             WHERE classification = 'student' OR random() < 0.03
            OFFSET 0) s;
    GET DIAGNOSTICS n_students = ROW_COUNT;

    -- File attachments: 0 to 5 a member (about 2 on average).  Sizes are
    -- log-normal (Box-Muller) around a median that depends on the type,
    -- clamped to 1 KB .. 50 MB.
    INSERT INTO membership.file_attachments
           (member_id, file_name, content_type, size_bytes, storage_key, uploaded_at)
    SELECT f.member_id,
           CASE f.t
               WHEN 1 THEN (ARRAY['resume', 'cv', 'certificate', 'invoice', 'contract',
                                  'transcript', 'membership_form', 'letter'])[1 + floor(f.r_name * 8)::int]
               WHEN 2 THEN (ARRAY['photo', 'id_card', 'badge_photo', 'scan'])[1 + floor(f.r_name * 4)::int]
               WHEN 3 THEN (ARRAY['photo', 'signature', 'screenshot', 'logo'])[1 + floor(f.r_name * 4)::int]
               WHEN 4 THEN (ARRAY['cover_letter', 'reference_letter', 'application', 'report'])[1 + floor(f.r_name * 4)::int]
               WHEN 5 THEN (ARRAY['dues', 'timesheet', 'expenses', 'budget'])[1 + floor(f.r_name * 4)::int]
               ELSE        (ARRAY['notes', 'readme', 'comments'])[1 + floor(f.r_name * 3)::int]
           END || '_' || f.member_id || '_' || f.seq || '.'
           || (ARRAY['pdf', 'jpeg', 'png', 'docx', 'xlsx', 'txt'])[f.t],
           (ARRAY['application/pdf', 'image/jpeg', 'image/png',
                  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
                  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
                  'text/plain'])[f.t],
           greatest(1024, least(52428800,
               round(exp((ARRAY[12.5, 13.5, 12.8, 11.5, 11.0, 9.0]::float8[])[f.t]
                         + 1.3 * sqrt(-2.0 * ln(1.0 - f.u1)) * cos(2.0 * pi() * f.u2)))))::bigint,
           'members/' || f.member_id || '/' || gen_random_uuid(),
           f.created_at + f.r_up * extract(epoch FROM now() - f.created_at) * interval '1 second'
      FROM (SELECT a.member_id, a.created_at, a.seq, a.r_name, a.u1, a.u2, a.r_up,
                   CASE WHEN a.r_type < 0.40 THEN 1
                        WHEN a.r_type < 0.60 THEN 2
                        WHEN a.r_type < 0.75 THEN 3
                        WHEN a.r_type < 0.87 THEN 4
                        WHEN a.r_type < 0.95 THEN 5
                        ELSE 6 END AS t
              FROM (SELECT k.member_id, k.created_at, s.seq,
                           random() AS r_type, random() AS r_name,
                           random() AS u1, random() AS u2, random() AS r_up
                      FROM (SELECT member_id, created_at,
                                   CASE WHEN r < 0.15 THEN 0
                                        WHEN r < 0.40 THEN 1
                                        WHEN r < 0.65 THEN 2
                                        WHEN r < 0.80 THEN 3
                                        WHEN r < 0.92 THEN 4
                                        ELSE 5 END AS n
                              FROM (SELECT member_id, created_at, random() AS r
                                      FROM membership.members
                                    OFFSET 0) x) k
                      CROSS JOIN LATERAL generate_series(1, k.n) AS s(seq)
                    OFFSET 0) a
            OFFSET 0) f;
    GET DIAGNOSTICS n_files = ROW_COUNT;

    FOREACH stmt IN ARRAY coalesce(idx_adds, '{}') LOOP
        EXECUTE stmt;
    END LOOP;

    IF is_owner THEN
        ANALYZE membership.organizations, membership.members,
                membership.member_employments, membership.organization_contacts,
                membership.students, membership.file_attachments;
    END IF;

    -- Validates each foreign key with one join.
    FOREACH stmt IN ARRAY coalesce(fk_adds, '{}') LOOP
        EXECUTE stmt;
    END LOOP;

    RETURN format('seeded %s members, %s organizations, %s employments, '
                  '%s organization contacts, %s students, %s file attachments',
                  n_members, n_orgs, n_employ, n_contacts, n_students, n_files);
END
$seed$;

REVOKE EXECUTE ON FUNCTION loadtest_seed(integer) FROM PUBLIC;

COMMENT ON FUNCTION loadtest_seed(integer) IS
    'loadtest: replace the data of the membership schema by realistic, skewed data for the given number of members (1 .. 10,000,000)';
