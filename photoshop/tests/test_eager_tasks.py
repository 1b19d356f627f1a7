"""The embedded default runs tasks eagerly, without a broker and without broker warnings."""

import subprocess
import sys

from django.conf import settings


def test_eager_default_uses_a_broker_that_never_connects():
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert settings.CELERY_BROKER_URL.startswith("memory://")


def test_a_task_queued_eagerly_prints_no_hostname_warning(tmp_path):
    """seed_demo said "No hostname was supplied": kombu's complaint about an empty broker URL."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'photoshop.settings'; django.setup();"
        "from privacy.tasks import clear_expired_sessions;"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "clear_expired_sessions.delay()"
    )
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "No hostname" not in result.stdout + result.stderr
