"""What the fast path asks of the database's own machinery while it loads the registry."""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def name_keys_given(cursor):
    """For the statements of the block, the trigger person_name_key keeps the name_key values
    the statement gives (clients/sql/person_name_key.sql): the import computed them itself."""
    cursor.execute("SELECT set_config('pandu.name_keys_given', 'on', true)")
    yield  # on an error the transaction is rolled back, and the setting with it
    cursor.execute("SELECT set_config('pandu.name_keys_given', '', true)")
