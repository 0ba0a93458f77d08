"""config.wsgi: the loaded application's objects are set aside from the garbage collector
(`gc.freeze()`), the URLconf's views and serializers among them, so that full collections
during requests do not walk them again."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

_PROBE = """
import gc, json, sys
import config.wsgi
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "urlconf_loaded": "config.urls" in sys.modules and "ideas.api.urls" in sys.modules,
    "tracked_after": len(gc.get_objects()),
}))
"""


def test_loading_the_wsgi_application_freezes_what_it_loaded(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])

    assert found["urlconf_loaded"]
    # Frozen: the loaded code's objects; what the collector still tracks is a small remainder.
    assert found["frozen"] > 50_000
    assert found["tracked_after"] < found["frozen"] / 10
