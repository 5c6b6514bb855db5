"""The worked-example checker: the course's example, slips deep in the chain, rounding, a second network."""

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import worked_example
from tinygrad_edu.worked_example import InvalidExampleError, Verdict, build_graph, check, explain, load

DATA = Path(__file__).parent / "data"

WRONG = Verdict.WRONG
FOLLOWS = Verdict.FOLLOWS
WITHIN = Verdict.WITHIN_ROUNDING
CORRECT = Verdict.CORRECT
NOT_CLAIMED = Verdict.NOT_CLAIMED


def _by_key(rows):
    return {row.key: row for row in rows}


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---- the course's example -----------------------------------------------------------------


COURSE_VERDICTS = {
    "z(1)": WRONG,
    "a(1)": FOLLOWS,
    "z(2)": WRONG,
    "a(2)": FOLLOWS,
    "z(3)": FOLLOWS,
    "y_hat": FOLLOWS,
    "L": FOLLOWS,
    "dL/dy_hat": NOT_CLAIMED,
    "delta(3)": FOLLOWS,
    "dL/dW(3)": FOLLOWS,
    "dL/db(3)": FOLLOWS,
    "dL/da(2)": FOLLOWS,
    "delta(2)": FOLLOWS,
    "dL/dW(2)": NOT_CLAIMED,
    "dL/db(2)": NOT_CLAIMED,
    "dL/da(1)": FOLLOWS,
    "delta(1)": NOT_CLAIMED,
    "dL/dW(1)": NOT_CLAIMED,
    "dL/db(1)": NOT_CLAIMED,
}


def test_course_verdicts_row_by_row():
    rows = check()
    assert [row.key for row in rows] == list(COURSE_VERDICTS)
    for row in rows:
        assert row.verdict is COURSE_VERDICTS[row.key], row.key


def test_course_slips_are_z1_and_z2():
    rows = _by_key(check())
    assert [row.quantity for row in check() if row.verdict is WRONG] == ["z(1)", "z(2)"]
    # a(1) inherits from z(1); everything from a(2) on inherits from z(2) only.
    assert rows["a(1)"].follows_from == ("z(1)",)
    for key in ("a(2)", "z(3)", "y_hat", "L", "delta(3)", "dL/dW(3)", "dL/db(3)", "dL/da(2)", "delta(2)", "dL/da(1)"):
        assert rows[key].follows_from == ("z(2)",), key


def test_course_z2_wrong_from_own_a1():
    row = _by_key(check())["z(2)"]
    # W(2) (0.545, 0.530, 0.535) + b(2), by hand: the course's 0.419 and 0.195 match neither this nor the truth.
    np.testing.assert_allclose(row.recomputed, [0.4255, 0.0600], atol=1e-12)
    assert row.depends_on == ("a(1)",)


def test_course_true_values():
    rows = _by_key(check())
    np.testing.assert_allclose(rows["z(1)"].computed, [0.28, -0.03, 0.44], atol=1e-12)
    np.testing.assert_allclose(rows["z(2)"].computed, [0.4610, 0.0169], atol=5e-5)
    assert rows["y_hat"].computed.item() == pytest.approx(0.6027, abs=5e-5)
    assert rows["L"].computed.item() == pytest.approx(0.5063, abs=5e-5)
    assert rows["delta(3)"].computed.item() == pytest.approx(-0.3973, abs=5e-5)
    assert rows["L"].computed.item() == pytest.approx(-np.log(rows["y_hat"].computed.item()), rel=1e-12)


def test_course_numbers_follow_from_its_a2_within_rounding():
    rows = _by_key(check())
    for key in ("z(3)", "y_hat", "L", "delta(3)", "dL/dW(3)", "dL/db(3)", "dL/da(2)", "delta(2)", "dL/da(1)"):
        row = rows[key]
        assert np.all(np.abs(row.claimed_values - row.recomputed) <= row.tolerance), key
    # Independent hand arithmetic from the course's own a(2) = (0.603, 0.549).
    assert rows["z(3)"].recomputed.item() == pytest.approx(0.6 * 0.603 - 0.3 * 0.549 + 0.2, abs=1e-12)
    np.testing.assert_allclose(rows["dL/dW(3)"].recomputed.ravel(), [-0.402 * 0.603, -0.402 * 0.549], atol=1e-12)
    np.testing.assert_allclose(rows["dL/da(2)"].recomputed, [-0.402 * 0.6, -0.402 * -0.3], atol=1e-12)
    np.testing.assert_allclose(
        rows["delta(2)"].recomputed, [-0.241 * 0.603 * 0.397, 0.121 * 0.549 * 0.451], atol=1e-12
    )


def test_course_loss_is_a_rounding_slip():
    row = _by_key(check())["L"]
    assert row.rounding_slip
    assert row.recomputed.item() == pytest.approx(-np.log(0.598), abs=1e-12)
    # 0.515 is not -ln(0.598) = 0.5142 rounded, but -ln(0.5975) = 0.5150 is within y_hat's rounding.
    assert abs(0.515 - row.recomputed.item()) > 0.0005
    assert -np.log(0.5975) == pytest.approx(0.515, abs=5e-4)
    assert sum(row.rounding_slip for row in check()) == 1


def test_course_da1_rounds_to_true_value_by_chance():
    row = _by_key(check())["dL/da(1)"]
    assert row.verdict is FOLLOWS
    assert row.agrees_with_computed


def test_course_unclaimed_rows_are_computed():
    rows = _by_key(check())
    delta1 = rows["delta(1)"]
    assert delta1.claimed is None
    a1 = _sigmoid(np.array([0.28, -0.03, 0.44]))
    da1 = rows["dL/da(1)"].computed
    np.testing.assert_allclose(delta1.computed, da1 * a1 * (1 - a1), rtol=1e-12)
    np.testing.assert_allclose(rows["dL/dW(1)"].computed, np.outer(delta1.computed, [0.5, 0.8]), rtol=1e-12)


def test_course_title_in_both_languages():
    example = load()
    assert example.title_in("de").startswith("Übung 2, Aufgabe 1.2")
    assert example.title_in("en").startswith("course exercise 1.2")
    assert example.title == example.title_in("en")
    assert load(DATA / "two_outputs_mse.toml").title_in("de") == "2-2-2 sigmoid network with squared error"


def test_course_file_keeps_written_digits():
    example = load()
    claim = example.claims["a(1)"]
    assert claim.text == "(0.545, 0.530, 0.535)"
    assert claim.numbers == ("0.545", "0.530", "0.535")
    np.testing.assert_allclose(claim.units, 0.001)
    assert example.claims["delta(3)"].key == "dL/dz(3)"
    np.testing.assert_allclose(example.weights[2], [[0.6, -0.3]])


# ---- one slip deep in the chain -------------------------------------------------------------


def test_slipped_delta_is_reported_once():
    rows = _by_key(check(DATA / "slipped_delta.toml"))
    assert rows["delta(2)"].verdict is WRONG
    for key in ("dL/dW(2)", "dL/db(2)", "dL/da(1)", "delta(1)", "dL/dW(1)", "dL/db(1)"):
        assert rows[key].verdict is FOLLOWS, key
        assert rows[key].follows_from == ("delta(2)",), key
    for key in ("z(1)", "a(1)", "z(2)", "a(2)", "z(3)", "y_hat", "L", "delta(3)", "dL/dW(3)", "dL/db(3)", "dL/da(2)"):
        assert rows[key].verdict.holds, key
    assert [row.key for row in rows.values() if row.verdict is WRONG] == ["delta(2)"]


def _corrected_course_dict():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    return tomllib.loads((DATA / "course_corrected.toml").read_text(), parse_float=Decimal)


def test_slipped_weight_gradient_has_no_followers():
    data = _corrected_course_dict()
    # Nothing is computed from dL/dW(2), so the rows after it stay right.
    data["claims"]["dL/dW(2)"][1][2] = Decimal("0.0118")
    rows = check(worked_example.from_dict(data))
    verdicts = {row.key: row.verdict for row in rows}
    assert [key for key, verdict in verdicts.items() if verdict is WRONG] == ["dL/dW(2)"]
    assert FOLLOWS not in verdicts.values()
    for key in ("dL/db(2)", "dL/da(1)", "delta(1)", "dL/dW(1)", "dL/db(1)"):
        assert verdicts[key].holds, key


def test_corrected_course_holds_everywhere():
    rows = check(DATA / "course_corrected.toml")
    assert all(row.verdict.holds for row in rows if row.claimed is not None)
    assert _by_key(rows)["z(1)"].verdict is CORRECT


# ---- rounding ----------------------------------------------------------------------------------


def _one_unit_example(y_hat_text, claim_z=False):
    """A 1-1 network whose y_hat is 0.59796 (z = ln(0.59796 / 0.40204) = 0.39697)."""
    z = float(np.log(0.59796 / (1 - 0.59796)))
    data = {
        "network": {"layer_sizes": [1, 1], "activations": "sigmoid", "loss": "bce"},
        "data": {"x": [1], "y": 1},
        "parameters": {"W(1)": [[Decimal(repr(z))]], "b(1)": [0]},
        "claims": {"y_hat": y_hat_text},
    }
    if claim_z:
        data["claims"]["z(1)"] = "0.397"
    return worked_example.from_dict(data)


@pytest.mark.parametrize("claim_z", [False, True])
@pytest.mark.parametrize(
    "text, expected", [("0.598", WITHIN), ("0.60", WITHIN), ("0.6", WITHIN), ("0.597", WRONG), ("0.59796", CORRECT)]
)
def test_rounding_of_y_hat(text, expected, claim_z):
    rows = _by_key(check(_one_unit_example(text, claim_z)))
    assert rows["y_hat"].computed.item() == pytest.approx(0.59796, abs=1e-14)
    assert rows["y_hat"].verdict is expected


def test_claimed_z_within_rounding():
    rows = _by_key(check(_one_unit_example("0.598", claim_z=True)))
    assert rows["z(1)"].verdict is WITHIN
    assert rows["y_hat"].depends_on == ("z(1)",)


def test_rounding_unit_counts_written_digits():
    assert worked_example.rounding_unit("0.60") == pytest.approx(0.01)
    assert worked_example.rounding_unit("0.598") == pytest.approx(0.001)
    assert worked_example.rounding_unit("12") == 1.0
    assert worked_example.rounding_unit("-4.5e-3") == pytest.approx(1e-4)


def test_toml_number_and_string_keep_trailing_zero():
    text = (DATA / "two_outputs_mse.toml").read_text()
    example = worked_example.loads(text)
    np.testing.assert_allclose(example.claims["dL/db(2)"].units, 1e-4)  # number -0.0310
    np.testing.assert_allclose(example.claims["delta(2)"].units, 1e-4)  # string "-0.0310"
    assert example.claims["dL/db(2)"].numbers == ("0.0811", "-0.0310")


def test_json_gives_the_same_verdicts(tmp_path):
    data = _corrected_course_dict()

    def to_json(value):
        if isinstance(value, dict):
            return {key: to_json(item) for key, item in value.items()}
        if isinstance(value, list):
            return [to_json(item) for item in value]
        return value

    # Write Decimals as raw JSON numbers so that "0.4610" keeps its digits.
    text = json.dumps(to_json(data), default=lambda d: f"@@{d}@@").replace('"@@', "").replace('@@"', "")
    path = tmp_path / "course.json"
    path.write_text(text)
    example = load(path)
    assert example.claims["z(2)"].numbers == ("0.4610", "0.0169")
    assert [row.verdict for row in check(path)] == [row.verdict for row in check(DATA / "course_corrected.toml")]


# ---- a second network: 2-2-2, sigmoid, squared error ---------------------------------------------


def _two_outputs_by_hand():
    """Derive the 2-2-2 example's values by the delta rule in numpy, without the engine."""
    x = np.array([0.3, 0.9])
    y = np.array([0.2, 0.7])
    W1 = np.array([[0.5, -0.4], [0.1, 0.8]])
    b1 = np.array([0.1, -0.2])
    W2 = np.array([[0.7, -0.6], [0.3, 0.4]])
    b2 = np.array([0.15, -0.1])

    z1 = W1 @ x + b1
    a1 = _sigmoid(z1)
    z2 = W2 @ a1 + b2
    y_hat = _sigmoid(z2)
    loss = np.mean((y_hat - y) ** 2)

    dy = 2 * (y_hat - y) / 2
    delta2 = dy * y_hat * (1 - y_hat)
    da1 = W2.T @ delta2
    delta1 = da1 * a1 * (1 - a1)
    return {
        "z(1)": z1,
        "a(1)": a1,
        "z(2)": z2,
        "y_hat": y_hat,
        "L": loss,
        "dL/dy_hat": dy,
        "delta(2)": delta2,
        "dL/dW(2)": np.outer(delta2, a1),
        "dL/db(2)": delta2,
        "dL/da(1)": da1,
        "delta(1)": delta1,
        "dL/dW(1)": np.outer(delta1, x),
        "dL/db(1)": delta1,
    }


def test_two_output_file_numbers_are_right_by_hand():
    example = load(DATA / "two_outputs_mse.toml")
    expected = _two_outputs_by_hand()
    assert set(example.claims) == set(expected)
    for key, value in expected.items():
        claim = example.claims[key]
        assert np.all(np.abs(claim.values - np.reshape(value, claim.values.shape)) <= claim.units / 2), key


def test_two_output_example_end_to_end():
    rows = check(DATA / "two_outputs_mse.toml")
    expected = _two_outputs_by_hand()
    assert len(rows) == len(expected) == 13
    for row in rows:
        np.testing.assert_allclose(row.computed, np.reshape(expected[row.key], row.computed.shape), rtol=1e-12)
        assert row.verdict in (CORRECT, WITHIN), row.key
    assert _by_key(rows)["z(1)"].verdict is CORRECT


def test_two_output_example_catches_a_slip():
    example = load(DATA / "two_outputs_mse.toml")
    claims = dict(example.claims)
    # Leaving out the factor 2 of the squared error gives dL/dy_hat = (y_hat - y) / 2.
    slipped = claims["dL/dy_hat"]
    claims["dL/dy_hat"] = type(slipped)(
        slipped.key, slipped.quantity, np.array([0.1625, -0.0633]), slipped.units, "(0.1625, -0.0633)", ("0.1625", "-0.0633")
    )
    from dataclasses import replace

    rows = _by_key(check(replace(example, claims=claims)))
    assert rows["dL/dy_hat"].verdict is WRONG
    # delta(2) was written from the right dL/dy_hat, so it does not follow from the slip.
    assert rows["delta(2)"].verdict is WITHIN


# ---- graph and explanation ----------------------------------------------------------------------


def test_build_graph_names_and_gradients():
    graph = build_graph()
    assert list(graph) == [
        "x", "y", "W(1)", "b(1)", "z(1)", "a(1)", "W(2)", "b(2)", "z(2)", "a(2)", "W(3)", "b(3)", "z(3)", "y_hat", "L",
    ]
    for name, tensor in graph.items():
        assert tensor.name == name
    assert graph["z(3)"].grad.item() == pytest.approx(graph["y_hat"].data.item() - 1.0, rel=1e-12)
    np.testing.assert_allclose(graph["W(3)"].grad, graph["z(3)"].grad[:, None] * graph["a(2)"].data[None, :])
    assert graph["a(1)"].grad is not None
    assert graph["x"].grad is None


def test_explain_shows_chain_rule_with_numbers():
    text = explain(lang="en")
    assert "delta(l) = (W(l+1))^T delta(l+1) * f'(z(l))" in text
    assert "dL/dz(3) = y_hat - y = 0.6027 - 1 = -0.3973" in text
    assert "delta(2) = dL/da(2) * a(2) * (1 - a(2))" in text
    assert "dL/dW(1) = delta(1) (x)^T" in text

    german = explain(lang="de")
    assert "Rückwärtsdurchlauf (Kettenregel)" in german
    assert "-0.3973" in german


def test_explain_latex_and_mse():
    latex = explain(DATA / "two_outputs_mse.toml", lang="en", fmt="latex")
    assert r"\boldsymbol{\delta}^{(2)}" in latex
    assert r"\frac{\partial L}{\partial \hat{y}}" in latex
    assert latex.count(r"\[") == latex.count(r"\]")
    with pytest.raises(ValueError, match="fmt"):
        explain(fmt="html")


# ---- invalid files --------------------------------------------------------------------------------


INVALID_CASES = [
    ("missing key", '"W(2)" = [[0.4, -0.1, 0.3], [0.2, 0.5, -0.4]]\n', "", "W(2)", "shape (2, 3)"),
    ("wrong shape", '"W(2)" = [[0.4, -0.1, 0.3], [0.2, 0.5, -0.4]]', '"W(2)" = [[0.4, -0.1], [0.2, 0.5]]', "W(2)", "shape (2, 3)"),
    ("non-number", '"z(3)" = 0.397', '"z(3)" = "0.39x"', "z(3)", "a list of 1 numbers"),
    ("unknown claim", '"z(3)" = 0.397', '"z(4)" = 0.397', "z(4)", "one of"),
    ("ragged rows", '"b(1)" = [0.1, -0.2, 0.3]', '"b(1)" = [[0.1], [-0.2, 0.3]]', "b(1)", "a list of 3 numbers"),
    ("bad loss", 'loss = "bce"', 'loss = "hinge"', "network.loss", "one of ['bce', 'mse']"),
    ("missing table", "[data]\nx = [0.5, 0.8]\ny = 1\n", "", "data", "a [data] table"),
    ("bce without sigmoid", 'activations = ["sigmoid", "sigmoid", "sigmoid"]', 'activations = ["sigmoid", "sigmoid", "tanh"]', "network.activations", "'sigmoid' as the last activation"),
    ("duplicate alias", '"dL/dz(3)" = -0.402', '"dL/dz(3)" = -0.402\n"delta(3)" = -0.402', "delta(3)", "each quantity claimed once"),
]


@pytest.mark.parametrize("name, old, new, key, expected", INVALID_CASES, ids=[case[0] for case in INVALID_CASES])
def test_invalid_file_names_key_and_shape(name, old, new, key, expected):
    text = (Path(worked_example.__file__).parent / "worked_examples" / "course.toml").read_text()
    assert old in text
    with pytest.raises(InvalidExampleError) as info:
        worked_example.loads(text.replace(old, new, 1), source="bad.toml")
    error = info.value
    assert isinstance(error, ValueError)
    assert key in error.key
    assert expected in error.expected
    assert key in str(error)
    assert expected in str(error)


def test_invalid_toml_syntax():
    with pytest.raises(InvalidExampleError, match="not valid TOML"):
        worked_example.loads("[network\nlayer_sizes = [2, 1]")


# ---- other activations ------------------------------------------------------------------------------


def _mixed_network_by_hand():
    """A 2-3-2-1 net with ReLU, tanh and sigmoid layers and BCE, derived by the delta rule in numpy."""
    x = np.array([0.7, -0.4])
    y = np.array([0.0])
    W = [
        np.array([[0.3, -0.5], [0.8, 0.2], [-0.6, 0.4]]),
        np.array([[0.5, -0.3, 0.9], [-0.7, 0.6, 0.1]]),
        np.array([[1.2, -0.8]]),
    ]
    b = [np.array([0.1, -0.3, 0.05]), np.array([0.2, -0.1]), np.array([0.3])]

    z1 = W[0] @ x + b[0]
    a1 = np.maximum(z1, 0)
    z2 = W[1] @ a1 + b[1]
    a2 = np.tanh(z2)
    z3 = W[2] @ a2 + b[2]
    y_hat = _sigmoid(z3)

    delta3 = y_hat - y
    da2 = W[2].T @ delta3
    delta2 = da2 * (1 - a2**2)
    da1 = W[1].T @ delta2
    delta1 = da1 * (z1 > 0)
    values = {
        "z(1)": z1, "a(1)": a1, "z(2)": z2, "a(2)": a2, "z(3)": z3, "y_hat": y_hat,
        "L": -np.log(1 - y_hat[0]), "delta(3)": delta3, "dL/dW(3)": np.outer(delta3, a2), "dL/db(3)": delta3,
        "dL/da(2)": da2, "delta(2)": delta2, "dL/dW(2)": np.outer(delta2, a1), "dL/db(2)": delta2,
        "dL/da(1)": da1, "delta(1)": delta1, "dL/dW(1)": np.outer(delta1, x), "dL/db(1)": delta1,
    }
    data = {
        "network": {"layer_sizes": [2, 3, 2, 1], "activations": ["relu", "tanh", "sigmoid"], "loss": "bce"},
        "data": {"x": x.tolist(), "y": y.tolist()},
        "parameters": {f"{name}({l + 1})": value[l].tolist() for name, value in (("W", W), ("b", b)) for l in range(3)},
    }
    return data, values


def test_relu_tanh_network_end_to_end():
    data, values = _mixed_network_by_hand()
    assert values["z(1)"][2] < 0  # one ReLU unit is off, so its gradients are zero
    data["claims"] = {key: np.round(value, 4).tolist() for key, value in values.items()}
    rows = check(worked_example.from_dict(data))
    for row in rows:
        if row.key in values:
            np.testing.assert_allclose(row.computed, np.reshape(values[row.key], row.computed.shape), rtol=1e-12, atol=1e-15)
            assert row.verdict.holds, row.key
    text = explain(worked_example.from_dict(data))
    assert "delta(2) = dL/da(2) * (1 - a(2)^2)" in text
    assert "delta(1) = dL/da(1) * [a(1) > 0]" in text


def test_relu_tanh_slip_in_activation():
    data, values = _mixed_network_by_hand()
    claims = {key: np.round(value, 4).tolist() for key, value in values.items()}
    claims["a(2)"] = [float(np.round(np.tanh(values["z(2)"][0]) * 0.5, 4)), claims["a(2)"][1]]
    data["claims"] = claims
    rows = _by_key(check(worked_example.from_dict(data)))
    assert rows["a(2)"].verdict is WRONG
    # z(3) and delta(2) were written from the true a(2): right, and not inherited from the slip.
    assert rows["z(3)"].verdict is WITHIN
    assert rows["delta(2)"].verdict is WITHIN
    assert rows["z(3)"].depends_on == ("a(2)",)
    assert abs(rows["z(3)"].recomputed.item() - rows["z(3)"].claimed_values.item()) > rows["z(3)"].tolerance.item()


def test_slip_in_one_entry_marks_only_its_numbers():
    data = _corrected_course_dict()
    claims = data["claims"]
    # z(2)[1] slipped from 0.0169 to 0.1690; the author carries it on through a(2)[1] and delta(2)[1].
    claims["z(2)"] = [Decimal("0.4610"), Decimal("0.1690")]
    claims["a(2)"] = [Decimal("0.6133"), Decimal("0.5421")]  # sigmoid(0.1690) = 0.54215
    claims["delta(2)"] = [Decimal("-0.0565"), Decimal("0.0296")]  # 0.1192 * 0.5421 * 0.4579 = 0.02959
    for key in ("dL/dW(2)", "dL/db(2)", "dL/da(1)", "delta(1)", "dL/dW(1)", "dL/db(1)"):
        del claims[key]
    rows = _by_key(check(worked_example.from_dict(data)))

    assert rows["z(2)"].number_verdicts == (WITHIN, WRONG)
    assert rows["a(2)"].number_verdicts == (WITHIN, FOLLOWS)
    assert rows["delta(2)"].number_verdicts == (WITHIN, FOLLOWS)
    assert rows["delta(2)"].verdict is FOLLOWS
    assert rows["delta(2)"].follows_from == ("z(2)",)
    # z(3) reads both entries of a(2), but the author wrote the true z(3), not one from the slip.
    assert rows["z(3)"].verdict is WITHIN


# ---- property: rounded true values hold, and one changed number is the only slip ------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def _random_examples(draw):
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=4))
    activations = draw(st.lists(st.sampled_from(["sigmoid", "tanh", "relu"]), min_size=len(sizes) - 1, max_size=len(sizes) - 1))
    loss = draw(st.sampled_from(["bce", "mse"]))
    if loss == "bce":
        activations[-1] = "sigmoid"
    seed = draw(st.integers(0, 2**32 - 1))
    decimals = draw(st.integers(3, 6))
    rng = np.random.default_rng(seed)
    parameters = {}
    for layer in range(1, len(sizes)):
        parameters[f"W({layer})"] = rng.uniform(-1, 1, size=(sizes[layer], sizes[layer - 1])).round(3).tolist()
        parameters[f"b({layer})"] = rng.uniform(-0.5, 0.5, size=sizes[layer]).round(3).tolist()
    data = {
        "network": {"layer_sizes": sizes, "activations": activations, "loss": loss},
        "data": {"x": rng.uniform(-1, 1, size=sizes[0]).round(3).tolist(), "y": rng.integers(0, 2, size=sizes[-1]).tolist()},
        "parameters": parameters,
    }
    return data, decimals


def _written(values, decimals):
    return np.vectorize(lambda v: f"{v:.{decimals}f}", otypes=[object])(values).tolist()


@settings(max_examples=25, deadline=None)
@given(_random_examples(), st.data())
def test_one_changed_number_is_the_only_slip(example, draw):
    data, decimals = example
    true = worked_example.computed_values(worked_example.from_dict(data))
    data["claims"] = {key: _written(value, decimals) for key, value in true.items()}
    rows = check(worked_example.from_dict(data))
    for row in rows:
        assert row.verdict.holds, row.key

    target = draw.draw(st.sampled_from(sorted(true)))
    values = np.array(true[target], dtype=np.float64)
    index = draw.draw(st.integers(0, values.size - 1))
    values.flat[index] += 100 * 10.0**-decimals
    data["claims"][target] = _written(values, decimals)
    rows = check(worked_example.from_dict(data))
    order = [row.key for row in rows]
    for row in rows:
        position = order.index(row.key)
        if row.key == target:
            assert row.verdict is WRONG
            assert row.number_verdicts[index] is WRONG
        elif position < order.index(target):
            assert row.verdict.holds, row.key
        else:
            assert row.verdict in (CORRECT, WITHIN, FOLLOWS), row.key


@pytest.mark.parametrize("lang", ["en", "de"])
def test_explain_latex_compiles(tmp_path, lang):
    import shutil
    import subprocess

    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (Debian: texlive-latex-base)")
    body = explain(lang=lang, fmt="latex") + explain(DATA / "two_outputs_mse.toml", lang=lang, fmt="latex")
    document = (
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
        "\\usepackage{amsmath}\n\\begin{document}\n" + body + "\\end{document}\n"
    )
    (tmp_path / "explain.tex").write_text(document, encoding="utf-8")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "explain.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / "explain.pdf").exists()


@pytest.mark.parametrize("source", ["course", "two_outputs", "mixed"])
def test_hand_formulas_equal_autodiff(source):
    from tinygrad_edu.worked.steps import build_steps, evaluate

    if source == "course":
        example = load()
    elif source == "two_outputs":
        example = load(DATA / "two_outputs_mse.toml")
    else:
        example = worked_example.from_dict(_mixed_network_by_hand()[0])
    by_formula = evaluate(build_steps(example), example.x)
    by_autodiff = worked_example.computed_values(example)
    assert set(by_formula) == set(by_autodiff)
    for key, value in by_autodiff.items():
        np.testing.assert_allclose(np.reshape(by_formula[key], np.shape(value)), value, rtol=1e-12, atol=1e-15, err_msg=key)
