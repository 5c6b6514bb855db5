"""Tests of viz.draw_graph and viz.save_graph: graph structure read from the DOT source, real renders."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

pytest.importorskip("graphviz", reason="the graphviz Python package (extra 'viz') is not installed")

from tinygrad_edu import Tensor, nn, ops, worked_example  # noqa: E402
from tinygrad_edu.viz import GraphvizNotFoundError, draw_graph, save_graph  # noqa: E402
from tinygrad_edu.viz import graph as graph_module  # noqa: E402

DOT_MISSING = shutil.which("dot") is None
needs_dot = pytest.mark.skipif(DOT_MISSING, reason="the Graphviz program `dot` is not installed")

NODE_LINE = re.compile(r"^\s*(\w+) \[(.*)\]$")
EDGE_LINE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")

# Values are drawn with 4 significant digits.
LABEL_RTOL = 5e-4


def parse_dot(source: str) -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]:
    """Return (node id -> attribute text, edges in order, node id -> cluster label), legend left out."""
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    clusters: dict[str, str] = {}
    cluster_label = None
    for line in source.splitlines():
        if line.strip().startswith("subgraph cluster_"):
            cluster_label = ""
            continue
        if cluster_label == "" and line.strip().startswith(("color=", "label=")):
            match = re.search(r'label="?([^"]*?)"?(?: style|$)', line)
            cluster_label = match.group(1) if match else "?"
            continue
        if line.strip() == "}":
            cluster_label = None
            continue
        edge = EDGE_LINE.match(line)
        if edge:
            if not edge.group(1).startswith("legend_"):
                edges.append((edge.group(1), edge.group(2)))
            continue
        node = NODE_LINE.match(line)
        if node and not node.group(1).startswith("legend_") and node.group(1) not in ("node", "edge", "graph"):
            nodes[node.group(1)] = node.group(2)
            if cluster_label:
                clusters[node.group(1)] = cluster_label
    return nodes, edges, clusters


def label_of(attributes: str) -> str:
    match = re.match(r"label=(<.*>|\"[^\"]*\"|\S+) ", attributes)
    assert match, attributes
    return match.group(1)


def style_of(attributes: str) -> str:
    """Return the attributes after the label: colours, shape and style."""
    return re.search(r" (color=.*)$", attributes).group(1)


def node_titled(nodes: dict[str, str], title: str) -> str:
    """Return the id of the tensor node whose bold title is `title`."""
    matches = [node_id for node_id, attributes in nodes.items() if f"<B>{title}</B>" in attributes]
    assert len(matches) == 1, f"{title}: {matches}"
    return matches[0]


def numbers_in(line: str) -> np.ndarray:
    return np.array([float(text) for text in NUMBER.findall(line)])


def course_reference() -> dict[str, np.ndarray]:
    """Compute the worked example by the course's formulas (delta rule), independently of the engine."""
    x = np.array([0.5, 0.8])
    y = 1.0
    W1 = np.array([[0.2, 0.1], [-0.3, 0.4], [0.6, -0.2]])
    b1 = np.array([0.1, -0.2, 0.3])
    W2 = np.array([[0.4, -0.1, 0.3], [0.2, 0.5, -0.4]])
    b2 = np.array([0.1, -0.1])
    w3 = np.array([0.6, -0.3])
    b3 = 0.2

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    z1 = W1 @ x + b1
    a1 = sigmoid(z1)
    z2 = W2 @ a1 + b2
    a2 = sigmoid(z2)
    z3 = w3 @ a2 + b3
    y_hat = sigmoid(z3)
    L = -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))

    delta3 = y_hat - y
    delta2 = delta3 * w3 * a2 * (1 - a2)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    return {
        "z(1)": z1, "a(1)": a1, "z(2)": z2, "a(2)": a2, "z(3)": np.array([z3]), "y_hat": np.array([y_hat]),
        "L": np.array([L]),
        "grad z(1)": delta1, "grad a(1)": W2.T @ delta2, "grad z(2)": delta2, "grad a(2)": delta3 * w3,
        "grad z(3)": np.array([delta3]), "grad W(1)": np.outer(delta1, x), "grad b(1)": delta1,
        "grad W(2)": np.outer(delta2, a1), "grad W(3)": delta3 * a2, "grad b(3)": np.array([delta3]),
    }


def label_lines(attributes: str) -> list[str]:
    return label_of(attributes)[1:-1].split("<BR/>")


def value_numbers(attributes: str) -> np.ndarray:
    """Return the numbers of the value lines (black), after the title line."""
    lines = [line for line in label_lines(attributes)[1:] if "FONT COLOR" not in line]
    return numbers_in(" ".join(lines))


def grad_numbers(attributes: str) -> np.ndarray:
    """Return the numbers of the gradient lines (red), without the ∂L/∂W(1) prefix."""
    lines = [re.sub(r"<[^>]+>", "", line) for line in label_lines(attributes) if "FONT COLOR" in line]
    text = " ".join(lines)
    text = text.split("=", 1)[1] if "=" in text else text.replace("grad", "")
    return numbers_in(text)


# ---- the worked example ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def worked_dot():
    tensors = worked_example.build_graph()
    return draw_graph(tensors["L"], legend=False).source


def test_worked_example_counts(worked_dot):
    nodes, edges, _ = parse_dot(worked_dot)
    tensors = [node for node in nodes if node.startswith("t")]
    op_nodes = [node for node in nodes if node.startswith("op")]

    # x, y, W(l), b(l), z(l) for l = 1..3, a(1), a(2), y_hat, L.
    assert len(tensors) == 15
    # Three Linear, three Sigmoid, one BinaryCrossEntropy.
    assert sorted(label_of(nodes[op]) for op in op_nodes) == sorted(["Linear"] * 3 + ["Sigmoid"] * 3 + ["BinaryCrossEntropy"])
    # Each Linear: 3 inputs + 1 output; each Sigmoid: 1 + 1; the loss: 2 + 1.
    assert len(edges) == 3 * 4 + 3 * 2 + 3


def test_worked_example_edges_follow_data(worked_dot):
    nodes, edges, _ = parse_dot(worked_dot)
    x, W1, b1, z1 = (node_titled(nodes, name) for name in ("x", "W(1)", "b(1)", "z(1)"))
    linear = [head for tail, head in edges if tail == x]
    assert len(linear) == 1
    assert [tail for tail, head in edges if head == linear[0]] == [x, W1, b1]
    assert [head for tail, head in edges if tail == linear[0]] == [z1]

    y_hat, y, L = (node_titled(nodes, name) for name in ("y_hat", "y", "L"))
    loss_op = [head for tail, head in edges if tail == y_hat]
    assert [tail for tail, head in edges if head == loss_op[0]] == [y_hat, y]
    assert label_of(nodes[loss_op[0]]) == "BinaryCrossEntropy"
    assert [head for tail, head in edges if tail == loss_op[0]] == [L]
    assert not [head for tail, head in edges if tail == L]


def test_worked_example_values_match_course_formulas(worked_dot):
    nodes, _, _ = parse_dot(worked_dot)
    reference = course_reference()

    # z(1) = (0.28, -0.03, 0.44) from the course's own inputs (the course prints 0.18, 0.12, 0.14).
    z1 = value_numbers(nodes[node_titled(nodes, "z(1)")])
    np.testing.assert_allclose(z1, [0.28, -0.03, 0.44], rtol=LABEL_RTOL)

    for name in ("z(1)", "a(1)", "z(2)", "a(2)", "z(3)", "y_hat", "L"):
        drawn = value_numbers(nodes[node_titled(nodes, name)])
        np.testing.assert_allclose(drawn, reference[name], rtol=LABEL_RTOL, err_msg=name)


def test_worked_example_gradients_match_delta_rule(worked_dot):
    nodes, _, _ = parse_dot(worked_dot)
    reference = course_reference()
    for name in ("z(1)", "a(1)", "z(2)", "a(2)", "z(3)", "W(1)", "b(1)", "W(2)", "W(3)", "b(3)"):
        attributes = nodes[node_titled(nodes, name)]
        assert f"∂L/∂{name} =" in attributes, name
        np.testing.assert_allclose(
            grad_numbers(attributes), reference[f"grad {name}"].ravel(), rtol=LABEL_RTOL, atol=1e-9, err_msg=name
        )


def test_worked_example_kinds_differ(worked_dot):
    nodes, _, _ = parse_dot(worked_dot)
    styles = {name: style_of(nodes[node_titled(nodes, name)]) for name in ("x", "y", "W(1)", "b(2)", "z(1)", "L")}
    assert styles["x"] == styles["y"]
    assert styles["W(1)"] == styles["b(2)"]
    assert len({styles["x"], styles["W(1)"], styles["z(1)"], styles["L"]}) == 4
    assert "peripheries=2" in styles["L"]
    assert "dashed" in styles["x"]
    for op in (node for node in nodes if node.startswith("op")):
        assert "shape=ellipse" in nodes[op]


def test_legend_names_kinds_in_german():
    tensors = worked_example.build_graph()
    source = draw_graph(tensors["L"], lang="de").source
    for word in ("Legende", "Parameter", "Eingabe / Konstante", "Operation", "Zwischenergebnis", "Verlust"):
        assert word in source, word


def test_same_computation_same_source():
    first = draw_graph(worked_example.build_graph()["L"]).source
    second = draw_graph(worked_example.build_graph()["L"]).source
    assert first == second


def test_no_values_hides_numbers():
    tensors = worked_example.build_graph()
    nodes, _, _ = parse_dot(draw_graph(tensors["L"], show_values=False, show_grads=False, legend=False).source)
    z1 = nodes[node_titled(nodes, "z(1)")]
    assert "0.28" not in z1
    assert "∂L" not in z1
    assert "(3,)" in z1


# ---- an MLP -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mlp_graph():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    net = nn.MLP([2, 4, 1], activation="sigmoid", seed=0)
    loss = nn.BCELoss()(net(X), y)
    loss.backward()
    return net, loss, draw_graph(loss, module=net, legend=False).source


def test_mlp_counts(mlp_graph):
    _, _, source = mlp_graph
    nodes, edges, _ = parse_dot(source)
    # Tensors: X, W(1), b(1), z(1), a(1), W(2), b(2), z(2), y_hat, target, L.
    assert len([node for node in nodes if node.startswith("t")]) == 11
    assert sorted(label_of(nodes[node]) for node in nodes if node.startswith("op")) == sorted(
        ["Linear", "Linear", "Sigmoid", "Sigmoid", "BinaryCrossEntropy"]
    )
    assert len(edges) == 2 * 4 + 2 * 2 + 3


def test_mlp_parameters_named_and_clustered(mlp_graph):
    net, _, source = mlp_graph
    nodes, edges, clusters = parse_dot(source)
    for name, parameter in net.named_parameters():
        node = node_titled(nodes, name)
        module_name = name.rpartition(".")[0]
        assert clusters[node] == f"{module_name}: Linear"
    for name in ("layers.0.bias", "layers.2.weight", "layers.2.bias"):
        parameter = dict(net.named_parameters())[name]
        drawn = grad_numbers(nodes[node_titled(nodes, name)])
        np.testing.assert_allclose(drawn, parameter.grad.ravel(), rtol=LABEL_RTOL, atol=1e-9, err_msg=name)
    linear_ops = [node for node in nodes if node.startswith("op") and label_of(nodes[node]) == "Linear"]
    assert sorted(clusters[node] for node in linear_ops) == ["layers.0: Linear", "layers.2: Linear"]
    # The activations and the loss belong to no layer's box.
    for node in nodes:
        if node.startswith("op") and label_of(nodes[node]) != "Linear":
            assert node not in clusters
    # Each Linear op reads its own layer's weight and bias.
    for op in linear_ops:
        inputs = [tail for tail, head in edges if head == op]
        assert [clusters.get(tail) for tail in inputs][1:] == [clusters[op], clusters[op]]


def test_mlp_large_tensor_summary(mlp_graph):
    net, _, source = mlp_graph
    nodes, _, _ = parse_dot(source)
    weight = net.layers[0].weight
    lines = label_lines(nodes[node_titled(nodes, "layers.0.weight")])
    summary = " ".join(line for line in lines[1:] if "FONT COLOR" not in line)
    mean, norm, low, high = numbers_in(summary)
    np.testing.assert_allclose(
        [mean, norm, low, high],
        [weight.data.mean(), np.linalg.norm(weight.data), weight.data.min(), weight.data.max()],
        rtol=LABEL_RTOL,
    )


def test_unfused_linear_clusters_transpose():
    # x @ W.T + b written out: the transpose of W and the ops after it belong to the layer.
    layer = nn.Linear(3, 2, rng=0)
    x = Tensor(np.ones((4, 3)))
    z = x @ layer.weight.T + layer.bias
    nodes, _, clusters = parse_dot(draw_graph(z.sum(), module=layer, legend=False).source)
    in_box = sorted(label_of(nodes[node]) for node in clusters if node.startswith("op"))
    assert in_box == ["Add", "MatMul", "Transpose"]
    outside = sorted(label_of(nodes[node]) for node in nodes if node.startswith("op") and node not in clusters)
    assert outside == ["Sum"]


# ---- reuse, size guard, collapse ------------------------------------------------------------


def test_tensor_used_twice_by_one_op():
    w = Tensor([0.5, -1.0], requires_grad=True, name="w")
    L = (w * w).sum()
    L.backward()
    nodes, edges, _ = parse_dot(draw_graph(L, legend=False).source)
    w_node = node_titled(nodes, "w")
    assert len(nodes) == 5
    out_edges = [head for tail, head in edges if tail == w_node]
    assert len(out_edges) == 2
    assert label_of(nodes[out_edges[0]]) == "Mul"
    assert out_edges[0] == out_edges[1]
    # d(sum w^2)/dw = 2w.
    np.testing.assert_allclose(grad_numbers(nodes[w_node]), [1.0, -2.0])


def test_tensor_used_by_two_ops():
    x = Tensor([0.3, -0.7], requires_grad=True, name="x")
    a = x.sigmoid()
    a.name = "a"
    L = (a * 2.0 + a.exp()).sum()
    nodes, edges, _ = parse_dot(draw_graph(L, legend=False).source)
    a_node = node_titled(nodes, "a")
    readers = sorted(label_of(nodes[head]) for tail, head in edges if tail == a_node)
    assert readers == ["Exp", "Mul"]
    assert sum("<B>a</B>" in attributes for attributes in nodes.values()) == 1


def add_chain(length: int) -> Tensor:
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    t = x
    for _ in range(length):
        t = t + 1.0
    return t.sum()


def test_max_nodes_guard_names_count():
    L = add_chain(300)
    # x, 300 sums and 300 constants, L; 300 Add ops and one Sum.
    expected = 1 + 300 + 300 + 1 + 301
    with pytest.raises(ValueError, match=rf"has {expected} nodes.*max_nodes=500.*collapse=True"):
        draw_graph(L)
    nodes, _, _ = parse_dot(draw_graph(L, max_nodes=expected, legend=False).source)
    assert len(nodes) == expected


def test_collapse_draws_chain_as_one_node():
    L = add_chain(100_000)
    nodes, edges, _ = parse_dot(draw_graph(L, collapse=True, legend=False).source)
    assert len(nodes) == 3
    chain = [node for node in nodes if node.startswith("op")]
    assert len(chain) == 1
    assert "Add ×100000 → Sum" in nodes[chain[0]]
    assert "100001 ops" in nodes[chain[0]]
    assert edges == [(node_titled(nodes, "x"), chain[0]), (chain[0], node_titled(nodes, "loss"))]


def test_collapse_keeps_named_tensors():
    tensors = worked_example.build_graph()
    full, _, _ = parse_dot(draw_graph(tensors["L"], legend=False).source)
    collapsed, edges, _ = parse_dot(draw_graph(tensors["L"], collapse=True, legend=False).source)
    # Every tensor is named, so no chain forms: the same drawing.
    assert collapsed.keys() == full.keys()


def test_collapse_mlp_one_node_per_layer(mlp_graph):
    net, loss, _ = mlp_graph
    nodes, edges, clusters = parse_dot(draw_graph(loss, module=net, collapse=True, legend=False).source)
    chains = sorted(label_of(nodes[node]) for node in nodes if node.startswith("op"))
    assert chains == ["<Linear → Sigmoid<BR/><FONT POINT-SIZE=\"9\">2 ops</FONT>>"] * 2 + ["BinaryCrossEntropy"]
    # Tensors drawn: X, the four parameters, the target, L.
    assert len([node for node in nodes if node.startswith("t")]) == 7


def test_collapse_still_too_large():
    with pytest.raises(ValueError, match="after collapse=True"):
        draw_graph(add_chain(10), collapse=True, max_nodes=2)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"lang": "fr"}, ValueError),
        ({"rankdir": "XY"}, ValueError),
        ({"max_nodes": 0}, ValueError),
        ({"precision": 0}, ValueError),
        ({"module": object()}, TypeError),
        ({"names": {"w": np.zeros(2)}}, TypeError),
    ],
)
def test_invalid_arguments_raise(arguments, error):
    L = (Tensor([1.0], requires_grad=True) * 2.0).sum()
    with pytest.raises(error, match="draw_graph"):
        draw_graph(L, **arguments)


def test_non_tensor_raises():
    with pytest.raises(TypeError, match="draw_graph: expected a Tensor"):
        draw_graph(np.zeros(3))


# ---- saving ---------------------------------------------------------------------------------


def test_save_dot_needs_no_binary(tmp_path, monkeypatch):
    monkeypatch.setattr(graph_module.shutil, "which", lambda name: None)
    graph = draw_graph(worked_example.build_graph()["L"])
    path = save_graph(graph, tmp_path / "graph.dot")
    assert path.read_text(encoding="utf-8") == graph.source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.dot"]


def test_missing_dot_writes_dot_and_explains(tmp_path, monkeypatch):
    monkeypatch.setattr(graph_module.shutil, "which", lambda name: None)
    graph = draw_graph(worked_example.build_graph()["L"])
    with pytest.raises(GraphvizNotFoundError) as raised:
        save_graph(graph, tmp_path / "graph.svg")
    message = str(raised.value)
    assert "apt-get install graphviz" in message
    assert "brew install graphviz" in message
    assert "graphviz.org/download" in message
    assert raised.value.dot_path == tmp_path / "graph.dot"
    assert raised.value.dot_path.read_text(encoding="utf-8") == graph.source
    assert not (tmp_path / "graph.svg").exists()


def test_missing_dot_message_in_german(tmp_path, monkeypatch):
    monkeypatch.setattr(graph_module.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizNotFoundError, match="nicht gefunden.*Installieren Sie Graphviz"):
        save_graph(draw_graph(add_chain(1)), tmp_path / "graph.png", lang="de")


def test_unknown_suffix_raises(tmp_path):
    with pytest.raises(ValueError, match=r"save_graph: cannot tell the file format.*\.svg"):
        save_graph(draw_graph(add_chain(1)), tmp_path / "graph.jpeg")


@needs_dot
def test_render_svg_has_labels(tmp_path):
    tensors = worked_example.build_graph()
    path = save_graph(draw_graph(tensors["L"]), tmp_path / "graph.svg")
    root = ElementTree.parse(path).getroot()
    texts = [element.text or "" for element in root.iter("{http://www.w3.org/2000/svg}text")]
    for expected in ("z(1)", "W(1)", "y_hat", "L", "[0.28, -0.03, 0.44]", "Linear", "BinaryCrossEntropy"):
        assert any(expected in text for text in texts), expected
    assert any(text.startswith("∂L/∂W(1) =") for text in texts)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.svg"]


@needs_dot
def test_render_png_and_pdf(tmp_path):
    graph = draw_graph(worked_example.build_graph()["L"])
    png = save_graph(graph, tmp_path / "graph.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = save_graph(graph, tmp_path / "graph.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"


@needs_dot
def test_render_replaces_existing_file(tmp_path):
    path = tmp_path / "graph.svg"
    path.write_text("old picture")
    save_graph(draw_graph(add_chain(2)), path)
    assert ElementTree.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.svg"]


@needs_dot
def test_jupyter_shows_svg():
    bundle = draw_graph(add_chain(2))._repr_mimebundle_()
    assert "image/svg+xml" in bundle
    assert "<svg" in bundle["image/svg+xml"]


def test_linear_op_of_plain_tensors():
    # ops.linear on plain Tensors (no Module): the Linear op reads x, W, b in that order.
    x = Tensor([[1.0, 2.0]], name="x")
    W = Tensor([[0.5, -0.5], [1.0, 0.0]], requires_grad=True, name="W")
    b = Tensor([0.1, 0.2], requires_grad=True, name="b")
    L = ops.linear(x, W, b).sum()
    L.backward()
    nodes, edges, _ = parse_dot(draw_graph(L, legend=False).source)
    linear = next(node for node in nodes if node.startswith("op") and label_of(nodes[node]) == "Linear")
    assert [tail for tail, head in edges if head == linear] == [node_titled(nodes, n) for n in ("x", "W", "b")]
    # dL/dW = 1 x^T for each output row; dL/db = 1.
    np.testing.assert_allclose(grad_numbers(nodes[node_titled(nodes, "W")]), [1.0, 2.0, 1.0, 2.0])
    np.testing.assert_allclose(grad_numbers(nodes[node_titled(nodes, "b")]), [1.0, 1.0])
