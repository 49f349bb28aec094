"""Supply chain: every installed package is pinned with its hashes, and bandit guards the code."""

import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_every_requirement_is_pinned_with_hashes_and_installed_with_hash_checking():
    text = (ROOT / "requirements.txt").read_text()
    entries = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)((?:\s*\\\n\s*--hash=sha256:[0-9a-f]{64})*)", text, re.M)
    names = {name.lower() for name, _version, _hashes in entries}
    assert {"django", "celery", "psycopg", "pip"} <= names
    assert all(hashes.count("--hash=sha256:") >= 1 for _name, _version, hashes in entries)
    unpinned = [line for line in text.splitlines() if line and not line.startswith((" ", "#")) and "==" not in line]
    assert unpinned == []
    direct = {line.split("==")[0].split("[")[0].lower() for line in (ROOT / "requirements.in").read_text().splitlines()
              if line and not line.startswith("#")}
    assert direct <= names
    assert "--require-hashes -r requirements.txt" in (ROOT / "Makefile").read_text()


def test_bandit_passes_the_project_and_fails_a_high_finding(tmp_path):
    bandit = [sys.executable, "-m", "bandit", "--quiet", "--severity-level", "high"]
    clean = subprocess.run([*bandit, "--recursive", "config", "outreach", "regions", "partners"], cwd=ROOT,
                           capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout
    bad = tmp_path / "bad.py"
    bad.write_text("import subprocess\n\ndef run(command):\n    return subprocess.Popen(command, shell=True)\n")
    found = subprocess.run([*bandit, str(bad)], capture_output=True, text=True)
    assert found.returncode == 1 and "B602" in found.stdout
