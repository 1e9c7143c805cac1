from django.db import migrations

SQL = """
CREATE FUNCTION referrals_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'referral events are append-only';
END;
$$;
CREATE TRIGGER referrals_event_no_change
    BEFORE UPDATE OR DELETE ON referrals_referralevent
    FOR EACH ROW EXECUTE FUNCTION referrals_event_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS referrals_event_no_change ON referrals_referralevent;
DROP FUNCTION IF EXISTS referrals_event_append_only();
"""


class Migration(migrations.Migration):
    """The timeline is evidence: the database itself refuses to change or remove an event."""

    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
