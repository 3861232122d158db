"""Safe aggregates: small-cell suppression audited independently, DP noise, budget ledger."""

from __future__ import annotations

import itertools
import json
from collections.abc import Hashable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netzicht.errors import InputFileError, NetzichtError
from netzicht.privacy.aggregates import (
    TOTAL,
    AggregateInputError,
    BudgetExceeded,
    PrivacyBudget,
    PrivacyBudgetError,
    dp_counts,
    dp_export,
    suppress,
)

REGIONS = ["Amsterdam", "Den Haag", "Limburg", "Noord-Nederland", "Rotterdam"]
PHENOMENA = ["criminal", "labour", "sexual"]


def random_table(seed: int, shape: tuple[int, ...], p_small: float = 0.35) -> pd.DataFrame:
    """Counts with many small cells and some zeros, like regional trend tables."""
    rng = np.random.default_rng(seed)
    levels = [[f"d{axis}_{i}" for i in range(n)] for axis, n in enumerate(shape)]
    rows = []
    for combo in itertools.product(*levels):
        u = rng.random()
        count = (
            0
            if u < 0.1
            else int(rng.integers(1, 10))
            if u < 0.1 + p_small
            else int(rng.integers(10, 80))
        )
        rows.append((*combo, count))
    return pd.DataFrame(rows, columns=[*(f"dim{i}" for i in range(len(shape))), "n"])


def line_groups(table: pd.DataFrame, dims: list[str]):
    """Every line of the published table: for each dim, the rows sharing the other coordinates
    (TOTAL included), i.e. the interior cells along that dim plus their total."""
    for d in dims:
        others = [o for o in dims if o != d]
        groups = table.groupby(others, sort=False) if others else [((), table)]
        for _, rows in groups:
            yield d, rows


def exactly_recoverable(table: pd.DataFrame, dims: list[str], count_col: str) -> list[int]:
    """Row positions of suppressed positive cells fixed by the line equations (rank test).

    Independent of the implementation: a cell is fixed iff deleting its column lowers the rank
    of the equations restricted to the unknown cells by one (its unit vector is in the row space).
    """
    values = table["_true"].to_numpy()
    unknown = [
        i for i in range(len(table)) if table["status"].iat[i] != "published" and values[i] > 0
    ]
    col = {pos: j for j, pos in enumerate(unknown)}
    rows = []
    for d, group in line_groups(table, dims):
        equation = np.zeros(len(unknown))
        for pos, label in zip(group.index, group[d], strict=True):
            if pos in col:
                equation[col[pos]] = -1.0 if label == TOTAL else 1.0
        if equation.any():
            rows.append(equation)
    if not rows:
        return []
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    return [pos for pos, j in col.items() if np.linalg.matrix_rank(np.delete(a, j, 1)) < rank]


def true_values(df: pd.DataFrame, table: pd.DataFrame, dims: list[str], count_col: str):
    """The full-data value of every row of the published table, margins included."""
    out = []
    for _, row in table.iterrows():
        mask = np.ones(len(df), dtype=bool)
        for d in dims:
            if row[d] != TOTAL:
                mask &= (df[d] == row[d]).to_numpy()
        out.append(int(df.loc[mask, count_col].sum()))
    return out


@pytest.mark.parametrize(
    ("seed", "shape", "k", "p_small"),
    [
        (1, (6, 5), 10, 0.35),
        (2, (4, 4, 3), 10, 0.35),
        (3, (8,), 5, 0.35),
        (4, (3, 7, 2), 12, 0.35),
        (5, (5, 5), 10, 0.35),
        # Here "no line with exactly one suppressed cell" alone leaves a cell recoverable
        # through several lines together; the null-space audit must catch it.
        (110, (6, 5), 10, 0.25),
    ],
)
def test_random_tables_are_protected(
    seed: int, shape: tuple[int, ...], k: int, p_small: float
) -> None:
    df = random_table(seed, shape, p_small)
    dims = [c for c in df.columns if c.startswith("dim")]
    st = suppress(df, dims, "n", k=k)
    table = st.table.copy()
    table["_true"] = true_values(df, table, dims, "n")
    published = table[table["status"] == "published"]

    # Every published value (cells and margins) is the true full-data value...
    assert (published["n"].astype(int) == published["_true"]).all()
    # ...and none lies in (0, k); true zeros are published.
    assert not ((published["n"] > 0) & (published["n"] < k)).any()
    assert ((table["_true"] == 0) == (table["status"].eq("published") & table["n"].eq(0))).all()
    # Every primary cell is a small count; complementary cells are non-zero.
    assert table.loc[table["status"] == "primary", "_true"].between(1, k - 1).all()
    assert (table.loc[table["status"] == "complementary", "_true"] > 0).all()
    # No line has exactly one suppressed cell...
    for _, rows in line_groups(table, dims):
        assert (rows["status"] != "published").sum() != 1
    # ...and no suppressed cell follows from all the line equations together.
    assert exactly_recoverable(table, dims, "n") == []
    assert st.primary == (table["status"] == "primary").sum() > 0


def test_small_known_table() -> None:
    df = pd.DataFrame(
        {
            "region": ["Amsterdam", "Amsterdam", "Rotterdam", "Rotterdam", "Limburg", "Limburg"],
            "phenomenon": ["labour", "sexual"] * 3,
            "n": [3, 40, 25, 30, 0, 50],
        }
    )
    st = suppress(df, ["region", "phenomenon"], "n", k=10)
    c = st.counts
    assert c[("Amsterdam", "labour")] is None  # primary
    assert c[("Limburg", "labour")] == 0  # a true zero is published
    assert c[(TOTAL, TOTAL)] == 148  # margins are computed from the full data
    assert c[("Limburg", TOTAL)] == 50
    # Amsterdam/labour would follow from its row or column; both got a second suppression.
    row = [c[("Amsterdam", p)] for p in ("labour", "sexual")] + [c[("Amsterdam", TOTAL)]]
    col = [c[(r, "labour")] for r in ("Amsterdam", "Limburg", "Rotterdam")] + [c[(TOTAL, "labour")]]
    assert row.count(None) >= 2 and col.count(None) >= 2
    assert st.primary == 1 and st.complementary >= 2


def test_rows_are_summed_and_k1_suppresses_nothing() -> None:
    df = pd.DataFrame({"r": ["a", "a", "b"], "n": [1, 2, 0]})
    st = suppress(df, ["r"], "n", k=1)
    assert st.counts == {("a",): 3, ("b",): 0, (TOTAL,): 3}
    assert st.primary == st.complementary == 0


@pytest.mark.parametrize(
    ("df", "message"),
    [
        (pd.DataFrame({"r": ["a"], "n": [-1]}), "whole numbers >= 0"),
        (pd.DataFrame({"r": ["a"], "n": [1.5]}), "whole numbers >= 0"),
        (pd.DataFrame({"r": ["a"], "n": [None]}), "missing counts"),
        (pd.DataFrame({"r": [TOTAL], "n": [1]}), "reserved for margins"),
        (pd.DataFrame({"x": ["a"], "n": [1]}), r"column\(s\) \['r'\]"),
        (pd.DataFrame({"r": [None], "n": [1]}), "missing dimension values"),
    ],
)
def test_bad_input_is_refused(df: pd.DataFrame, message: str) -> None:
    with pytest.raises(AggregateInputError, match=message):
        suppress(df, ["r"], "n")


# --- differential privacy ---------------------------------------------------------------------


def big_table(n_regions: int = 40, n_months: int = 50) -> pd.DataFrame:
    rows = [(f"R{r}", m, 1000) for r in range(n_regions) for m in range(n_months)]
    return pd.DataFrame(rows, columns=["region", "month", "n"])


def test_dp_counts_noise_is_integer_unbiased_with_the_right_spread() -> None:
    df = big_table()
    out = dp_counts(df, ["region", "month"], "n", epsilon=1.0)
    assert out.attrs == {"epsilon": 1.0, "noise_scale": pytest.approx(1.0)}
    noise = out["n"].to_numpy() - 1000
    assert out["n"].dtype.kind == "i"
    # Discrete Laplace with scale 1: mean 0, variance 2e^-1 / (1 - e^-1)^2 = 1.84.
    assert abs(noise.mean()) < 0.2
    assert 1.84 * 0.75 < noise.var() < 1.84 * 1.25
    wide = dp_counts(df, ["region", "month"], "n", epsilon=0.1)["n"].to_numpy() - 1000
    assert 200 * 0.75 < wide.var() < 200 * 1.25  # scale 10: variance ~ 2 * 10^2


def test_dp_counts_covers_the_grid_clamps_and_is_not_replayable() -> None:
    df = pd.DataFrame({"region": ["A", "A", "B"], "month": [1, 2, 1], "n": [0, 5, 2]})
    levels: dict[str, list[Hashable]] = {"region": ["A", "B", "C"], "month": [1, 2]}
    runs = [dp_counts(df, ["region", "month"], "n", 0.5, levels=levels) for _ in range(30)]
    for out in runs:
        assert list(zip(out["region"], out["month"], strict=True)) == [
            ("A", 1),
            ("A", 2),
            ("B", 1),
            ("B", 2),
            ("C", 1),
            ("C", 2),
        ]
        assert (out["n"] >= 0).all()
    assert len({tuple(out["n"]) for out in runs}) > 1
    with pytest.raises(AggregateInputError, match="cannot be seeded"):
        dp_counts(df, ["region", "month"], "n", 0.5, seed=1)
    with pytest.raises(AggregateInputError, match="epsilon"):
        dp_counts(df, ["region", "month"], "n", 0.0)


def test_dp_scale_grows_with_contributions() -> None:
    out = dp_counts(big_table(2, 2), ["region", "month"], "n", 0.5, max_contributions=3)
    assert out.attrs["noise_scale"] == pytest.approx(6.0)


# --- budget ledger ----------------------------------------------------------------------------


def test_budget_records_spending_and_refuses_overdraft(tmp_path: Path) -> None:
    path = tmp_path / "budget.json"
    budget = PrivacyBudget(path, total_epsilon=1.0)
    budget.spend("2024-Q1-labour", 0.4, "labour exploitation per region, Q1")
    budget.spend("2024-Q2-labour", 0.6, "labour exploitation per region, Q2")
    assert budget.remaining() == pytest.approx(0.0)
    with pytest.raises(BudgetExceeded, match=r"needs epsilon 0\.1, but only 0 of 1 is left"):
        budget.spend("2024-Q3-labour", 0.1, "Q3")
    reopened = PrivacyBudget(path)
    assert [e.export_id for e in reopened.entries()] == ["2024-Q1-labour", "2024-Q2-labour"]
    assert reopened.spent() == pytest.approx(1.0)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "netzicht-privacy-budget" and doc["total_epsilon"] == 1.0
    assert doc["entries"][0]["description"] == "labour exploitation per region, Q1"
    assert doc["entries"][0]["ts"].endswith("Z")


def test_budget_floating_sum_and_misuse(tmp_path: Path) -> None:
    budget = PrivacyBudget(tmp_path / "b.json", total_epsilon=0.3)
    budget.spend("a", 0.1, "x")
    budget.spend("b", 0.2, "x")  # 0.1 + 0.2 > 0.3 in floats; still exactly the budget
    with pytest.raises(PrivacyBudgetError, match="already recorded"):
        budget.spend("a", 0.0001, "x")
    with pytest.raises(PrivacyBudgetError, match="cannot be changed"):
        PrivacyBudget(tmp_path / "b.json", total_epsilon=5.0)
    with pytest.raises(PrivacyBudgetError, match="give total_epsilon"):
        PrivacyBudget(tmp_path / "new.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"bad\.json: budget ledger is not valid JSON"):
        PrivacyBudget(tmp_path / "bad.json")
    assert issubclass(BudgetExceeded, NetzichtError)


def test_dp_export_charges_before_releasing(tmp_path: Path) -> None:
    budget = PrivacyBudget(tmp_path / "b.json", total_epsilon=1.0)
    df = big_table(2, 2)
    out = dp_export(
        df, ["region", "month"], "n", 0.7, budget=budget, export_id="e1", description="trend table"
    )
    assert len(out) == 4
    with pytest.raises(BudgetExceeded):
        dp_export(
            df, ["region", "month"], "n", 0.7, budget=budget, export_id="e2", description="again"
        )
    assert [e.export_id for e in budget.entries()] == ["e1"]
