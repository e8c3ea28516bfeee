"""`make mutation`: mutation testing of the core modules with mutmut, one module at a time, then
the score of each and of all, counting the mutants documented as equivalent as killed.

mutmut's configuration (the modules, the tests that exercise them) is pyproject.toml's
[tool.mutmut]; it copies the tree into mutants/ and records each mutant's outcome there, in one
`<module>.py.meta` file per module, which this script reads. The equivalent mutants (a change no
test can tell apart from the original) are listed in scripts/mutation_equivalents.txt, one name
per line with the reason. The last line printed is `mutation score: N% (killed/total)`; the exit
code is 1 when a module is below TARGET.

    python scripts/mutation_score.py [--no-run] [module ...]   (module: proxstate/diff/compare.py)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "scripts" / "mutation_equivalents.txt"
TARGET = 90.0
# mutmut's exit codes per mutant (mutmut/stats.py): a failing test, a timeout, a crash all kill it.
KILLED = {1, 3, 24, -24, 152, 255, 36, 37, -11, -9}
NOT_RUN = {None, 34}


def modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return list(config["only_mutate"])


def equivalents() -> set[str]:
    names = set()
    for line in EQUIVALENTS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            names.add(line.split()[0])
    return names


def mutant_prefix(module: str) -> str:
    return module.removesuffix(".py").replace("/", ".") + "."


def score(module: str, documented: set[str]) -> tuple[int, int, list[str]]:
    """(killed, total, names of the survivors) of one module's last run."""
    meta = ROOT / "mutants" / f"{module}.meta"
    outcomes = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
    ran = {name: code for name, code in outcomes.items() if code not in NOT_RUN}
    survivors = sorted(name for name, code in ran.items() if code not in KILLED and name not in documented)
    return len(ran) - len(survivors), len(ran), survivors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="modules to run (default: all configured)")
    parser.add_argument("--no-run", action="store_true", help="only read the results of the last runs")
    args = parser.parse_args()
    chosen = args.modules or modules()
    documented = equivalents()
    if not args.no_run:
        for module in chosen:
            # One module at a time: a run can be stopped and resumed without losing the others.
            mutmut = Path(sys.executable).parent / "mutmut"
            subprocess.run([str(mutmut), "run", mutant_prefix(module) + "*"], cwd=ROOT, check=False)
    killed_all = total_all = 0
    below = []
    for module in chosen:
        killed, total, survivors = score(module, documented)
        killed_all, total_all = killed_all + killed, total_all + total
        share = 100.0 * killed / total if total else 0.0
        below += [module] if share < TARGET else []
        print(f"{module}: {share:.1f}% ({killed}/{total})")
        for name in survivors:
            print(f"  survived: {name}")
    share = 100.0 * killed_all / total_all if total_all else 0.0
    print(f"mutation score: {share:.1f}% ({killed_all}/{total_all})")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
