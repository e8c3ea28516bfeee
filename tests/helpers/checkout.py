"""A state repository as a CI job finds it, and a stand-in for the GitHub CLI (the fixtures that
build them are in tests/templates/conftest.py)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKEN_ID = "root@pam!ci"
TOKEN_SECRET = "sekret"
TOKEN = f"{TOKEN_ID}={TOKEN_SECRET}"

# A stand-in for the GitHub CLI: logs each call (with the files it is given) and prints the first
# answer the test set whose words all appear on the command line.
GH_STUB = """\
import json, os, sys
args = sys.argv[1:]
call = {"args": args, "files": {}}
for index, arg in enumerate(args):
    if arg == "--body-file":
        call["files"]["body"] = open(args[index + 1], encoding="utf-8").read()
    elif arg.startswith("body=@"):
        call["files"]["body"] = open(arg[len("body=@"):], encoding="utf-8").read()
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "calls.jsonl"), "a", encoding="utf-8") as log:
    log.write(json.dumps(call) + "\\n")
with open(os.path.join(here, "answers.json"), encoding="utf-8") as answers:
    for words, answer in json.load(answers):
        if all(word in args for word in words):
            sys.stdout.write(answer)
            break
"""


def git(*args: str, env: dict[str, str]) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True, env=env).stdout


@dataclass
class Gh:
    """The `gh` stand-in: set `answers`, read `calls`."""

    folder: Path

    def answer(self, answers: list[tuple[list[str], str]]) -> None:
        (self.folder / "answers.json").write_text(json.dumps(answers))
        (self.folder / "calls.jsonl").write_text("")

    @property
    def calls(self) -> list[dict[str, Any]]:
        lines = (self.folder / "calls.jsonl").read_text().splitlines()
        return [json.loads(line) for line in lines]


@dataclass
class Checkout:
    origin: Path
    work: Path
    env: dict[str, str]
    temp: Path
    pve: Any

    def git(self, *args: str, repo: Path | None = None) -> str:
        return git("-C", str(repo or self.work), *args, env=self.env).strip()

    def contexts(self, *, pr_sha: str = "", token: str = TOKEN, per_cluster: bool = False) -> dict[str, Any]:
        """The contexts of a run: repository variables and secrets, the event."""
        suffix = "_homelab" if per_cluster else ""
        return {
            "github": {
                "event_name": "schedule",
                "ref_name": "main",
                "repository": "example/pve-state",
                "token": "ghs-not-a-token",
                "event": {"pull_request": {"number": 7, "head": {"sha": pr_sha}}},
            },
            "vars": {f"PROXSTATE_URL{suffix}": self.pve.url},
            "secrets": {f"PROXSTATE_TOKEN{suffix}": token, "PROXSTATE_MASK_KEY": "mask-key"},
        }
