"""proxstate.yaml `attribution:`: logins that are automation, named as such in reports.

```yaml
attribution:
  automation:
    terraform@pve!ci: terraform        # a login, or a glob of logins
    "*@pve!ansible": ansible
```

A change made by such a login reads `by terraform@pve!ci [automation: terraform] (...)`, so that a
reviewer tells a pipeline's change from a person's at a glance.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from pydantic import BaseModel, ConfigDict, Field


class AttributionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # login (USER@REALM or USER@REALM!TOKEN, or a glob of them) -> the tool's name
    automation: dict[str, str] = Field(default_factory=dict)

    def label(self, actor: str) -> str | None:
        """`automation: terraform` for a login named (exactly first, then by glob), else None."""
        if actor in self.automation:
            return f"automation: {self.automation[actor]}"
        for pattern, tool in self.automation.items():
            if fnmatchcase(actor, pattern):
                return f"automation: {tool}"
        return None


__all__ = ["AttributionConfig"]
