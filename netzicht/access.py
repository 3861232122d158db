"""Who may do what: roles, region scopes, and the refusals that go with them.

Checked in the service layer — the CLI and the dashboard both go through it — so hiding a button
in the UI is never the only protection. Every refusal is audited.

The matrix (DOMAIN.md, legal frame):

| action                | investigator | analyst      | care_coordinator | admin |
|-----------------------|--------------|--------------|------------------|-------|
| read_personal         | own regions  | —            | care data only   | yes   |
| read_pseudonymised    | yes          | yes          | yes              | yes   |
| read_aggregates       | yes          | yes          | yes              | yes   |
| read_protected        | — (hit/no-hit only) | —     | yes              | yes   |
| analyze / disrupt     | yes          | yes (pseudonymised) | —         | yes   |
| export_personal       | own regions  | —            | —                | yes   |
| export_aggregates     | yes          | yes          | yes              | yes   |
| ingest                | —            | —            | —                | yes   |
| reidentify            | —            | —            | yes (care data)  | yes   |
| erase / retention     | —            | —            | —                | yes   |
| audit_read            | —            | —            | —                | yes   |
| psi                   | yes          | yes          | yes              | yes   |
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from netzicht.errors import AccessDenied

ROLES = ("investigator", "analyst", "care_coordinator", "admin")
ALL_REGIONS = "*"

PERMISSIONS: dict[str, frozenset[str]] = {
    "investigator": frozenset(
        {
            "read_personal",
            "read_pseudonymised",
            "read_aggregates",
            "analyze",
            "disrupt",
            "export_personal",
            "export_aggregates",
            "psi",
        }
    ),
    "analyst": frozenset(
        {
            "read_pseudonymised",
            "read_aggregates",
            "analyze",
            "disrupt",
            "export_aggregates",
            "psi",
        }
    ),
    "care_coordinator": frozenset(
        {
            "read_pseudonymised",
            "read_aggregates",
            "read_protected",
            "export_aggregates",
            "reidentify",
            "psi",
        }
    ),
    "admin": frozenset(
        {
            "read_personal",
            "read_pseudonymised",
            "read_aggregates",
            "read_protected",
            "analyze",
            "disrupt",
            "export_personal",
            "export_aggregates",
            "ingest",
            "reidentify",
            "erase",
            "retention",
            "audit_read",
            "psi",
        }
    ),
}
ACTIONS = frozenset().union(*PERMISSIONS.values())

# What each role is told when refused, so the refusal explains the rule, not just "no".
WHY = {
    "read_personal": "this role sees pseudonyms and aggregates, not identities",
    "read_protected": (
        "care-coordinator data reaches investigation only as hit/no-hit (netzicht psi)"
    ),
    "export_personal": "this role may export aggregates only",
    "ingest": "only administrators run ingests",
    "erase": "only administrators erase",
    "retention": "only administrators apply retention",
    "audit_read": "only administrators read the audit log",
    "reidentify": "re-identification is for care coordinators and administrators",
    "analyze": "this role does not run network analyses",
    "disrupt": "this role does not run disruption scenarios",
}


@dataclass(frozen=True)
class Identity:
    user: str
    role: str
    regions: tuple[str, ...] = (ALL_REGIONS,)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise AccessDenied(
                f"unknown role {self.role!r} for {self.user} (roles: {', '.join(ROLES)})"
            )

    def may(self, action: str) -> bool:
        return action in PERMISSIONS[self.role]

    @property
    def all_regions(self) -> bool:
        return ALL_REGIONS in self.regions

    def sees_region(self, region: str | None) -> bool:
        return self.all_regions or region is None or region in self.regions

    def sees_any_region(self, regions: Iterable[str]) -> bool:
        regions = list(regions)
        return self.all_regions or not regions or any(r in self.regions for r in regions)


def refusal(identity: Identity, action: str, what: str = "") -> AccessDenied:
    reason = WHY.get(action, f"the role {identity.role} may not {action}")
    target = f" {what}" if what else ""
    return AccessDenied(
        f"refused: {identity.user} ({identity.role}) may not {action}{target}: {reason}"
    )
