from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# The URLconf and every view, loaded now rather than by the first request.
get_resolver().url_patterns  # noqa: B018
# What is loaded by now lives as long as the worker: moved out of the garbage collector's
# reach, so that its full collections no longer walk it all (over 100 ms each, every 60 or
# so pages of the worklist, before; under 10 ms after).
gc.freeze()
