"""Write v1-record/: the record that proxstate's first release (state format 1) makes of the
migration tests' cluster (cluster.py). Run it with that release's code first on the path:

    git archive 1f85034 | tar -x -C /tmp/v1
    PYTHONPATH=/tmp/v1 .venv/bin/python tests/migration/make_v1_record.py

It serves the cluster with fakepve on 127.0.0.1, runs that release's `proxstate init` and `sync`
into a temporary repository and copies its proxstate.yaml and clusters/ here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fakepve.certs import make_cert
from fakepve.pytest_plugin import HOST, _Serving
from fakepve.server import FakePve

HERE = Path(__file__).resolve().parent
# After PYTHONPATH, which puts the first release's proxstate ahead of this checkout's.
sys.path.append(str(HERE.parent.parent))

import proxstate  # noqa: E402
from proxstate.cli.main import main  # noqa: E402
from proxstate.demo.members import answer_members_as_pve  # noqa: E402
from proxstate.demo.realms import answer_realms_as_pve  # noqa: E402
from tests.migration.cluster import V1_CONFIG, build  # noqa: E402

OUTPUT = HERE / "v1-record"


def run() -> None:
    work = Path(tempfile.mkdtemp(prefix="proxstate-v1-"))
    cert, key, _ = make_cert(str(work), hosts=(HOST,))
    serving = _Serving(FakePve(host=HOST, port=0), cert, key)
    try:
        pve = serving.pve
        answer_realms_as_pve(pve)
        answer_members_as_pve(pve)
        build(pve)
        repo = work / "state"
        os.environ.update(
            PROXSTATE_URL=pve.url,
            PROXSTATE_USER="root@pam",
            PROXSTATE_PASSWORD="secret",
            PROXSTATE_CA_CERT=cert,
            PROXSTATE_NO_PROGRESS="1",
            GIT_AUTHOR_NAME="v1",
            GIT_AUTHOR_EMAIL="v1@example.invalid",
            GIT_COMMITTER_NAME="v1",
            GIT_COMMITTER_EMAIL="v1@example.invalid",
        )
        for args in (["init", str(repo)], ["sync", "-C", str(repo)]):
            if args[0] == "sync":
                (repo / "proxstate.yaml").write_text(V1_CONFIG, encoding="utf-8")
                subprocess.run(["git", "-C", str(repo), "commit", "-qam", "v1 config"], check=True)
            try:
                main(args)
            except SystemExit as exc:
                if exc.code:
                    raise
        shutil.rmtree(OUTPUT, ignore_errors=True)
        OUTPUT.mkdir()
        shutil.copy(repo / "proxstate.yaml", OUTPUT / "proxstate.yaml")
        shutil.copytree(repo / "clusters", OUTPUT / "clusters")
        print(f"{OUTPUT}: written by proxstate {proxstate.__version__} from {proxstate.__file__}")
    finally:
        serving.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    run()
