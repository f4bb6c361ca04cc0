"""The PLN identification session: whom and what ~20 participants say they learn from.

People are drawn from the third-party pool with Zipf-like popularity (weight ``1/(rank+1)``), so
some are named by several participants; a few contacts are fellow participants. Groups and
resources come from fixed lists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tweetstorm._generator import accounts as A

N_RESPONDENTS = 20
FREQUENCIES = ("daily", "weekly", "monthly", "rarely")
FREQ_P = {"person": [0.25, 0.40, 0.20, 0.15], "group": [0.15, 0.45, 0.25, 0.15],
          "resource": [0.30, 0.35, 0.20, 0.15]}
TYPE_P = {"person": 0.6, "group": 0.2, "resource": 0.2}


def identify(rng: np.random.Generator, cast: list[tuple[str, str, str, str]] | None = None) -> pd.DataFrame:
    """Rows participant, contact, contact_type, frequency; sorted by participant, then as named.
    ``cast``: the participants (default ``accounts.PARTICIPANTS``; a larger cast has
    proportionally more respondents)."""
    cast = A.PARTICIPANTS if cast is None else cast
    parts = sorted(h for h, *_ in cast)
    n_resp = N_RESPONDENTS if len(cast) == len(A.PARTICIPANTS) else round(N_RESPONDENTS * len(cast) / len(A.PARTICIPANTS))
    respondents = sorted(str(h) for h in rng.choice(parts, size=n_resp, replace=False))
    pool = A.THIRD_PARTIES
    w = 1.0 / (np.arange(len(pool)) + 1.0)
    rows = []
    for h in respondents:
        n = int(rng.integers(4, 16))
        named: list[tuple[str, str]] = []
        while len(named) < n:
            kind = str(rng.choice(list(TYPE_P), p=list(TYPE_P.values())))
            if kind == "person":
                if rng.random() < 0.12:
                    c = "@" + str(rng.choice([p for p in parts if p != h]))
                else:
                    c = "@" + str(rng.choice(pool, p=w / w.sum()))
            elif kind == "group":
                c = str(rng.choice(A.GROUPS))
            else:
                c = str(rng.choice(A.RESOURCES))
            if c not in [x for x, _ in named]:
                named.append((c, kind))
        for c, kind in named:
            rows.append({"participant": h, "contact": c, "contact_type": kind,
                         "frequency": str(rng.choice(FREQUENCIES, p=FREQ_P[kind]))})
    return pd.DataFrame(rows, columns=["participant", "contact", "contact_type", "frequency"])
