"""The wheel carries templates, courses and assessments, and works outside the repo."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True, timeout=300)
    return next(out.glob("tiered_lms-*.whl"))


def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "lms/templates/lms/base.html" in names
    assert "lms/migrations/0001_people.py" in names
    assert "lms/translations/zh/LC_MESSAGES/lms.mo" in names
    assert "lms/static/lms.css" in names
    assert any(n.startswith("lms/courses/") for n in names)
    assert any(n.startswith("lms/assessments/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "lms = lms.commands:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_serves_pages_outside_the_repo(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    str(wheel)], check=True, timeout=300)
    script = (
        "import lms, lms.resources as r\n"
        "assert lms.__file__.startswith(%r), lms.__file__\n"
        "from lms.migrations import upgrade\n"
        "app = lms.create_app(database_url='sqlite:///lms.db')\n"
        "upgrade()\n"
        "page = app.test_client().get('/login')\n"
        "assert page.status_code == 200, page.status_code\n"
        "assert str(r.shipped_dir('templates')).startswith(%r)\n"
        "print('ok')\n" % (str(target), str(target)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env["PYTHONPATH"] = str(target)
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]
