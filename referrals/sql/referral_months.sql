-- The dashboard's referral counters.
--
-- referrals_referral.kecamatan_id: where the person lived when referred, set when the row is
-- inserted (whatever inserts it), so a person moving later does not move their referrals.
--
-- referrals_referralmonth: referrals per (month made, provider, service, kecamatan, state,
-- granted, completed within SLA), kept by statement-level triggers with transition tables:
-- one grouped, ordered upsert per statement (ordered by cell, so two transactions touching
-- the same cells lock them in the same order and cannot deadlock each other).

-- A referral's cell, the same in the triggers and in the dashboard's count of partial months.
CREATE OR REPLACE FUNCTION pandu_local_month(at timestamptz) RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN date_trunc('month', at AT TIME ZONE 'Asia/Makassar')::date;

CREATE OR REPLACE FUNCTION pandu_referral_granted(status text, outcome text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN status = 'completed' AND outcome = 'granted';

CREATE OR REPLACE FUNCTION pandu_referral_within_sla(status text, closed_at timestamptz, due_on date) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN status = 'completed' AND coalesce((closed_at AT TIME ZONE 'Asia/Makassar')::date <= due_on, false);

CREATE OR REPLACE FUNCTION pandu_referral_kecamatan() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kecamatan_id IS NULL THEN
        SELECT v.parent_id INTO NEW.kecamatan_id
        FROM referrals_case c
        JOIN clients_person p ON p.id = c.person_id
        JOIN clients_household h ON h.id = p.household_id
        JOIN clients_region v ON v.id = h.village_id
        WHERE c.id = NEW.case_id;
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS referral_kecamatan ON referrals_referral;
CREATE TRIGGER referral_kecamatan BEFORE INSERT ON referrals_referral
    FOR EACH ROW EXECUTE FUNCTION pandu_referral_kecamatan();

-- Referrals made before this migration: where their person lives now is the best known.
UPDATE referrals_referral r SET kecamatan_id = v.parent_id
FROM referrals_case c
JOIN clients_person p ON p.id = c.person_id
JOIN clients_household h ON h.id = p.household_id
JOIN clients_region v ON v.id = h.village_id
WHERE c.id = r.case_id AND r.kecamatan_id IS NULL;

CREATE OR REPLACE FUNCTION pandu_count_referrals() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO referrals_referralmonth AS c
            (month, provider_id, service_id, kecamatan_id, status, granted, within_sla, referrals)
        SELECT pandu_local_month(created_at), provider_id, service_id, kecamatan_id, status,
               pandu_referral_granted(status, outcome), pandu_referral_within_sla(status, closed_at, due_on), count(*)
        FROM new_referrals
        GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (month, provider_id, service_id, kecamatan_id, status, granted, within_sla)
            DO UPDATE SET referrals = c.referrals + EXCLUDED.referrals;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO referrals_referralmonth AS c
            (month, provider_id, service_id, kecamatan_id, status, granted, within_sla, referrals)
        SELECT month, provider_id, service_id, kecamatan_id, status, granted, within_sla, sum(delta)
        FROM (
            SELECT pandu_local_month(created_at) AS month, provider_id, service_id, kecamatan_id, status,
                   pandu_referral_granted(status, outcome) AS granted,
                   pandu_referral_within_sla(status, closed_at, due_on) AS within_sla, -1 AS delta
            FROM old_referrals
            UNION ALL
            SELECT pandu_local_month(created_at), provider_id, service_id, kecamatan_id, status,
                   pandu_referral_granted(status, outcome), pandu_referral_within_sla(status, closed_at, due_on), 1
            FROM new_referrals
        ) cells
        GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (month, provider_id, service_id, kecamatan_id, status, granted, within_sla)
            DO UPDATE SET referrals = c.referrals + EXCLUDED.referrals;
    ELSE
        INSERT INTO referrals_referralmonth AS c
            (month, provider_id, service_id, kecamatan_id, status, granted, within_sla, referrals)
        SELECT pandu_local_month(created_at), provider_id, service_id, kecamatan_id, status,
               pandu_referral_granted(status, outcome), pandu_referral_within_sla(status, closed_at, due_on), -count(*)
        FROM old_referrals
        GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (month, provider_id, service_id, kecamatan_id, status, granted, within_sla)
            DO UPDATE SET referrals = c.referrals + EXCLUDED.referrals;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS referral_count_insert ON referrals_referral;
CREATE TRIGGER referral_count_insert AFTER INSERT ON referrals_referral
    REFERENCING NEW TABLE AS new_referrals FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_referrals();
DROP TRIGGER IF EXISTS referral_count_update ON referrals_referral;
CREATE TRIGGER referral_count_update AFTER UPDATE ON referrals_referral
    REFERENCING OLD TABLE AS old_referrals NEW TABLE AS new_referrals
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_referrals();
DROP TRIGGER IF EXISTS referral_count_delete ON referrals_referral;
CREATE TRIGGER referral_count_delete AFTER DELETE ON referrals_referral
    REFERENCING OLD TABLE AS old_referrals FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_referrals();

-- What the counters must hold, counted from the referrals (checked by `manage.py recount --check`).
CREATE OR REPLACE VIEW pandu_referral_recount AS
    SELECT pandu_local_month(created_at) AS month, provider_id, service_id, kecamatan_id, status,
           pandu_referral_granted(status, outcome) AS granted,
           pandu_referral_within_sla(status, closed_at, due_on) AS within_sla, count(*)::integer AS referrals
    FROM referrals_referral GROUP BY 1, 2, 3, 4, 5, 6, 7;

-- Start from what is there.
DELETE FROM referrals_referralmonth;
INSERT INTO referrals_referralmonth (month, provider_id, service_id, kecamatan_id, status, granted, within_sla, referrals)
    SELECT month, provider_id, service_id, kecamatan_id, status, granted, within_sla, referrals FROM pandu_referral_recount;
