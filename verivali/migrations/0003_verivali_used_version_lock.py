"""The database itself refuses to change a scorecard version that an assessment uses.

The service and the admin check first and say why; this trigger is the last line, for any
other path (a shell, a script, a second admin tab).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION verivali_refuse_used_version_change() RETURNS trigger AS $$
DECLARE
    version bigint;
BEGIN
    IF TG_TABLE_NAME = 'verivali_scorecardversion' THEN
        IF NEW.number = OLD.number AND NEW.name = OLD.name THEN
            RETURN NEW;  -- notes and "current" may change; the content may not
        END IF;
        version := OLD.id;
    ELSIF TG_OP = 'DELETE' THEN
        version := OLD.version_id;
    ELSE
        version := NEW.version_id;
        IF TG_OP = 'UPDATE' AND EXISTS (
            SELECT 1 FROM verivali_assessment WHERE version_id = OLD.version_id
        ) THEN
            version := OLD.version_id;
        END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM verivali_assessment WHERE version_id = version) THEN
        RAISE EXCEPTION 'scorecard version % is used by assessments and cannot be edited; copy it', version
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = """
CREATE TRIGGER verivali_indicator_used_lock BEFORE INSERT OR UPDATE OR DELETE ON verivali_indicator
    FOR EACH ROW EXECUTE FUNCTION verivali_refuse_used_version_change();
CREATE TRIGGER verivali_classband_used_lock BEFORE INSERT OR UPDATE OR DELETE ON verivali_classband
    FOR EACH ROW EXECUTE FUNCTION verivali_refuse_used_version_change();
CREATE TRIGGER verivali_version_used_lock BEFORE UPDATE ON verivali_scorecardversion
    FOR EACH ROW EXECUTE FUNCTION verivali_refuse_used_version_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS verivali_indicator_used_lock ON verivali_indicator;
DROP TRIGGER IF EXISTS verivali_classband_used_lock ON verivali_classband;
DROP TRIGGER IF EXISTS verivali_version_used_lock ON verivali_scorecardversion;
DROP FUNCTION IF EXISTS verivali_refuse_used_version_change();
"""


class Migration(migrations.Migration):
    dependencies = [("verivali", "0002_verivali_batches_assessments")]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS, REVERSE)]
