"""Who does what in the demo's ideas and pilots: the customers who vote, propose and take
part, drawn by their account's engagement profile (demo.data.activity), so that engaged
accounts are heard more and dormant ones almost never.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

# How much each engagement profile (demo.data.activity) takes part: votes, proposals, pilots.
_PROFILE_WEIGHT = {
    "champion": 6.0,
    "rising": 3.5,
    "steady": 2.5,
    "fading": 1.5,
    "occasional": 0.7,
    "dormant": 0.005,  # gone quiet: almost never among the voters or pilot members
}


class Participants:
    """The customers who vote, propose and take part, drawn by their account's engagement."""

    def __init__(
        self,
        *,
        rng: random.Random,
        members_by_account: dict[int, list[int]],
        profiles: dict[int, str],
        demo_users: Iterable[int],
    ) -> None:
        self.rng = rng
        skip = set(demo_users)
        self.members = {
            account_id: [pk for pk in members if pk not in skip]
            for account_id, members in members_by_account.items()
        }
        self.accounts = [a for a, members in self.members.items() if members]
        weights = [_PROFILE_WEIGHT.get(profiles.get(a, ""), 1.0) for a in self.accounts]
        self.weight = dict(zip(self.accounts, weights, strict=True))
        self._cumulative = []
        total = 0.0
        for weight in weights:
            total += weight
            self._cumulative.append(total)
        self.customers = sum(len(m) for m in self.members.values())

    def one(self) -> int:
        account = self.rng.choices(self.accounts, cum_weights=self._cumulative)[0]
        return self.rng.choice(self.members[account])

    def some(self, count: int) -> list[int]:
        """`count` different people (fewer if there are not that many), engaged accounts first."""
        chosen: list[int] = []
        seen: set[int] = set()
        for _ in range(count * 8):
            if len(chosen) >= count:
                break
            pk = self.one()
            if pk not in seen:
                seen.add(pk)
                chosen.append(pk)
        return chosen

    def accounts_in_order(self, exclude: Iterable[int] = ()) -> list[int]:
        """Every account once, engaged ones more likely first (weighted random order)."""
        skip = set(exclude)
        keyed = [
            (self.rng.random() ** (1 / self.weight[a]), a) for a in self.accounts if a not in skip
        ]
        return [a for _, a in sorted(keyed, reverse=True)]
