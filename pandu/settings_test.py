"""The test run's settings: the development defaults (DEBUG on unless a test asks otherwise,
the development key, plain HTTP), then everything of ``pandu.settings``. pytest-django points
``DJANGO_SETTINGS_MODULE`` here, so the servers and workers a test starts get it too."""

import os

os.environ.setdefault("DEBUG", "true")

from pandu.settings import *  # noqa: E402,F403
