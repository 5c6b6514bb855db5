"""Draw the computation graph behind a tensor with graphviz, values and gradients included.

The drawing reads the graph the engine recorded: `tensor.op` is the op that made a
tensor and `op.parents` are that op's inputs. Each tensor becomes a box and each op an
ellipse, and edges run in data-flow order, parents -> op -> output.
"""

from __future__ import annotations

import html
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz._common import check_lang, import_optional, output_format, write_file

__all__ = ["GraphvizNotFoundError", "draw_graph", "save_graph", "GRAPH_FORMATS", "INSTALL_GRAPHVIZ"]

GRAPH_FORMATS = ("svg", "png", "pdf", "dot")

INSTALL_GRAPHVIZ = {
    "en": (
        "Install Graphviz, which provides the `dot` program: `sudo apt-get install graphviz` "
        "on Debian/Ubuntu, `brew install graphviz` on macOS, or the installer from "
        "https://graphviz.org/download/ on Windows (tick 'add Graphviz to the system PATH')."
    ),
    "de": (
        "Installieren Sie Graphviz, das das Programm `dot` mitbringt: `sudo apt-get install graphviz` "
        "unter Debian/Ubuntu, `brew install graphviz` unter macOS oder den Installer von "
        "https://graphviz.org/download/ unter Windows (dabei 'Graphviz zum PATH hinzufügen' wählen)."
    ),
}

# Values are printed in full up to this many elements; larger tensors get a summary.
SMALL_TENSOR_SIZE = 6

TEXT = {
    "en": {
        "parameter": "parameter",
        "input": "input / constant",
        "intermediate": "intermediate",
        "loss": "loss",
        "output": "output",
        "op": "op",
        "chain": "op chain",
        "legend": "Legend",
        "grad": "grad",
        "constant": "constant",
        "input_name": "input",
        "scalar": "scalar",
        "mean": "mean",
        "min": "min",
        "max": "max",
        "norm": "norm",
        "ops": "ops",
    },
    "de": {
        "parameter": "Parameter",
        "input": "Eingabe / Konstante",
        "intermediate": "Zwischenergebnis",
        "loss": "Verlust",
        "output": "Ausgabe",
        "op": "Operation",
        "chain": "Kette von Operationen",
        "legend": "Legende",
        "grad": "Gradient",
        "constant": "Konstante",
        "input_name": "Eingabe",
        "scalar": "Skalar",
        "mean": "Mittel",
        "min": "Min",
        "max": "Max",
        "norm": "Norm",
        "ops": "Operationen",
    },
}

# Fill colour, border colour, node shape and style of each kind of node. Shape and
# border style differ as well as colour, so the kinds stay apart in black and white.
STYLES = {
    "parameter": {"fillcolor": "#fee8c8", "color": "#e6550d", "shape": "box", "style": "filled"},
    "input": {"fillcolor": "#f0f0f0", "color": "#636363", "shape": "box", "style": "filled,rounded,dashed"},
    "intermediate": {"fillcolor": "#deebf7", "color": "#3182bd", "shape": "box", "style": "filled,rounded"},
    "loss": {"fillcolor": "#fcbba1", "color": "#cb181d", "shape": "box", "style": "filled,bold", "peripheries": "2"},
    "op": {"fillcolor": "#e5f5e0", "color": "#31a354", "shape": "ellipse", "style": "filled"},
}
STYLES["output"] = STYLES["loss"]
STYLES["chain"] = {**STYLES["op"], "shape": "hexagon"}

GRAD_COLOUR = "#b2182b"
FONT = "Helvetica"


class GraphvizNotFoundError(RuntimeError):
    """Raised by `save_graph` when the Graphviz `dot` program is missing.

    The DOT source has been written to `dot_path` by then, so the graph is not lost:
    `dot -Tsvg file.dot -o file.svg` renders it once Graphviz is installed.
    """

    def __init__(self, message: str, dot_path: Path) -> None:
        super().__init__(message)
        self.dot_path = dot_path


# ---- walking the graph ----------------------------------------------------------------


@dataclass
class _Graph:
    """The tensors of a graph in data-flow order, with who consumes each one."""

    tensors: list[Tensor]
    index: dict[int, int]  # id(tensor) -> position in `tensors`
    consumers: list[list[int]] = field(default_factory=list)  # per tensor: consuming tensors, once per use

    @property
    def op_count(self) -> int:
        return sum(1 for tensor in self.tensors if tensor.op is not None)


def _walk(root: Tensor) -> _Graph:
    """Collect every tensor that `root` depends on, each parent before its consumers.

    An explicit stack instead of recursion, so a chain of 100,000 ops works. Parents
    are visited in input order, which makes the order, and so the node ids, depend
    only on the graph's structure.
    """
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        tensor, parents_done = stack.pop()
        if parents_done:
            order.append(tensor)
            continue
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        stack.append((tensor, True))
        if tensor.op is not None:
            for parent in reversed(tensor.op.parents):
                if id(parent) not in seen:
                    stack.append((parent, False))

    index = {id(tensor): position for position, tensor in enumerate(order)}
    consumers: list[list[int]] = [[] for _ in order]
    for position, tensor in enumerate(order):
        if tensor.op is not None:
            for parent in tensor.op.parents:
                consumers[index[id(parent)]].append(position)
    return _Graph(order, index, consumers)


def _kind(tensor: Tensor, is_root: bool) -> str:
    if is_root:
        return "loss" if tensor.size == 1 else "output"
    if tensor.op is not None:
        return "intermediate"
    return "parameter" if tensor.requires_grad else "input"


# ---- labels ---------------------------------------------------------------------------


def _format_number(value: Any, precision: int) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = f"{float(value):.{precision}g}"
    return "0" if text == "-0" else text


def _format_array(array: np.ndarray, precision: int) -> list[str]:
    """Return the lines of a small array: one line for a vector, one per row for a matrix."""
    if array.ndim == 0:
        return [_format_number(array.item(), precision)]
    if array.ndim == 1:
        return ["[" + ", ".join(_format_number(v, precision) for v in array) + "]"]
    if array.ndim == 2:
        rows = ["[" + ", ".join(_format_number(v, precision) for v in row) + "]" for row in array]
        if len(rows) == 1:
            return ["[" + rows[0] + "]"]
        return ["[" + rows[0]] + [" " + row for row in rows[1:-1]] + [" " + rows[-1] + "]"]
    # Three or more axes: the values in C order on one line, because the shape is shown above.
    return ["[" + ", ".join(_format_number(v, precision) for v in array.ravel()) + "]"]


def _summary(array: np.ndarray, precision: int, words: Mapping[str, str]) -> list[str]:
    """Return the summary lines of a large array: mean, min, max and L2 norm."""
    if array.dtype.kind not in "fiub":
        return []
    values = array.astype(np.float64)
    mean = _format_number(values.mean(), precision)
    low = _format_number(values.min(), precision)
    high = _format_number(values.max(), precision)
    norm = _format_number(np.sqrt(np.sum(values * values)), precision)
    return [
        f"{words['mean']} {mean}, {words['norm']} {norm}",
        f"{words['min']} {low}, {words['max']} {high}",
    ]


def _describe(array: np.ndarray, precision: int, words: Mapping[str, str]) -> list[str]:
    if array.size <= SMALL_TENSOR_SIZE:
        return _format_array(array, precision)
    return _summary(array, precision, words)


def _shape_text(tensor: Tensor, words: Mapping[str, str]) -> str:
    text = words["scalar"] if tensor.ndim == 0 else str(tuple(tensor.shape))
    if tensor.dtype != np.float64:
        text += f" {tensor.dtype}"
    return text


def _html_label(title: str | None, shape: str, values: list[str], grads: list[str], grad_word: str) -> str:
    """Build a graphviz HTML-like label: bold title, shape, value lines, gradient lines in red."""
    head = f"<B>{html.escape(title)}</B>  " if title else ""
    lines = [f"{head}<FONT POINT-SIZE=\"10\">{html.escape(shape)}</FONT>"]
    lines += [html.escape(line) for line in values]
    if grads:
        grad_lines = [f"{grad_word} {grads[0]}"] + grads[1:]
        lines += [f'<FONT COLOR="{GRAD_COLOUR}">{html.escape(line)}</FONT>' for line in grad_lines]
    return "<" + "<BR/>".join(lines) + ">"


# ---- modules as clusters --------------------------------------------------------------


def _module_owners(module: Any, graph: _Graph) -> tuple[dict[int, str], dict[str, str]]:
    """Map each drawn tensor that belongs to a module with parameters to that module's name.

    A parameter belongs to the module that contains it directly. An op result belongs to
    module M when every input of its op belongs to M or is a one-element constant. So
    the transpose of a weight counts as the layer's, but the layer's output does not,
    because it also depends on the data. Returns (tensor position -> module name,
    module name -> cluster label).
    """
    if not hasattr(module, "named_parameters") or not hasattr(module, "named_modules"):
        raise TypeError(
            f"draw_graph: module must be an nn.Module (with named_parameters and named_modules), "
            f"got {type(module).__name__}"
        )
    submodules = dict(module.named_modules())
    owners: dict[int, str] = {}
    labels: dict[str, str] = {}
    for full_name, parameter in module.named_parameters():
        module_name = full_name.rpartition(".")[0]
        position = graph.index.get(id(parameter))
        if position is None:
            continue
        owners[position] = module_name
        class_name = type(submodules.get(module_name, module)).__name__
        labels[module_name] = f"{module_name}: {class_name}" if module_name else class_name

    for position, tensor in enumerate(graph.tensors):
        if tensor.op is None:
            continue
        parent_owners = {
            owners.get(graph.index[id(parent)])
            for parent in tensor.op.parents
            if parent.op is not None or parent.requires_grad or parent.size > 1
        }
        if len(parent_owners) == 1 and None not in parent_owners:
            owners[position] = parent_owners.pop()
    return owners, labels


def _op_cluster(position: int, graph: _Graph, owners: Mapping[int, str]) -> str | None:
    """Return the module whose op made tensor `position`: the owner of its first owned input."""
    for parent in graph.tensors[position].op.parents:
        owner = owners.get(graph.index[id(parent)])
        if owner is not None:
            return owner
    return None


# ---- the drawing ----------------------------------------------------------------------


@dataclass
class _Drawing:
    """Node and edge statements collected before they are emitted in a fixed order."""

    nodes: list[tuple[str, str, dict[str, str], str | None]] = field(default_factory=list)  # id, label, style, cluster
    edges: list[tuple[str, str]] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)


def draw_graph(
    tensor: Tensor,
    module: Any = None,
    *,
    names: Mapping[str, Tensor] | None = None,
    show_values: bool = True,
    show_grads: bool = True,
    max_nodes: int = 500,
    collapse: bool = False,
    lang: str = "en",
    rankdir: str = "TB",
    title: str | None = None,
    legend: bool = True,
    precision: int = 4,
) -> Any:
    """Draw the computation graph that produced `tensor`, as a `graphviz.Digraph`.

    Every tensor is a box with its name, its shape and, when `show_values` is on, its
    value: all elements up to six, else mean, norm, min and max. Its gradient follows
    in red when `show_grads` is on and `.grad` is set. The gradient is written
    ∂L/∂W(1) when the tensor and the one drawn from both have titles, else "grad". Non-leaf tensors keep `.grad`
    only after `retain_grad()`. Every op is an ellipse. Parameters (leaves with
    `requires_grad`), inputs and constants (leaves without), intermediate results and
    the tensor drawn from (the loss) differ in colour and shape, and a legend names them.

    A tensor used twice is drawn once, with an edge to each use. Node ids follow the
    order of the walk from the inputs to `tensor` (``t0, t1, ...`` for tensors,
    ``op3`` for the op that made ``t3``), so the DOT source of the same computation is
    the same on every run.

    Args:
        tensor: the output to draw from, usually the loss L.
        module: an `nn.Module`; its parameters are then titled by `named_parameters()`
            ("layers.0.weight"), and the ops of each module that has parameters
            (each `Linear`) are drawn inside a box titled with the module's name and class.
        names: titles for particular tensors, e.g. ``{"z(1)": z1, "y_hat": y_hat}``;
            these win over module names and `Tensor.name`.
        show_values: draw values (and summaries of large tensors).
        show_grads: draw gradients where `.grad` is set.
        max_nodes: largest number of nodes (tensors plus ops) to draw; a larger graph
            raises ValueError rather than producing a picture nobody can read.
        collapse: draw a condensed graph: unnamed intermediate results and unnamed
            one-element constants are left out, and a chain of ops that passes a single
            tensor along becomes one hexagon ("Linear → Sigmoid", "Add ×1000").
            `max_nodes` then applies to the condensed graph.
        lang: "en" or "de" for the legend and the default titles.
        rankdir: "TB" (top to bottom), "LR" (left to right), "BT" or "RL".
        title: a caption above the graph.
        legend: draw the legend of node kinds.
        precision: significant digits of the values shown.

    Returns:
        graphviz.Digraph. In Jupyter it shows inline as SVG (which needs the `dot`
        program); `save_graph` writes it to a file, `.source` is the DOT text.

    Raises:
        TypeError: `tensor` is not a Tensor, or `module` is not a Module.
        ValueError: more than `max_nodes` nodes, or an invalid `lang`, `rankdir`,
            `max_nodes` or `precision`.

    Example:
        >>> from tinygrad_edu import Tensor
        >>> w = Tensor([0.5, -1.0], requires_grad=True, name="w")
        >>> L = (w * w).sum()
        >>> L.backward()
        >>> dot = draw_graph(L, legend=False)
        >>> dot.source.count("->")
        5
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"draw_graph: expected a Tensor to draw from, got {type(tensor).__name__}")
    check_lang("draw_graph", lang)
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, (int, np.integer)) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be a positive int, got {max_nodes!r}")
    if isinstance(precision, bool) or not isinstance(precision, (int, np.integer)) or not 1 <= precision <= 17:
        raise ValueError(f"draw_graph: precision must be an int from 1 to 17, got {precision!r}")
    graphviz = import_optional("graphviz", "draw_graph")

    graph = _walk(tensor)
    titles = _titles(graph, module, names)
    owners, cluster_labels = _module_owners(module, graph) if module is not None else ({}, {})

    full_count = len(graph.tensors) + graph.op_count
    if collapse:
        drawing = _collapsed_drawing(graph, titles, owners, show_values, show_grads, lang, precision)
    else:
        _check_size(full_count, max_nodes, collapsed=False)
        drawing = _full_drawing(graph, titles, owners, show_values, show_grads, lang, precision)
    _check_size(len(drawing.nodes), max_nodes, collapsed=collapse, full_count=full_count)

    dot = graphviz.Digraph(name="computation_graph")
    # ordering=in keeps the inputs of each op in argument order, left to right (or top to bottom).
    dot.attr(rankdir=rankdir, fontname=FONT, newrank="true", ordering="in")
    if title:
        dot.attr(label=title, labelloc="t", fontsize="16")
    dot.attr("node", fontname=FONT, fontsize="11", margin="0.12,0.06")
    dot.attr("edge", color="#555555", arrowsize="0.7")

    for node_id, label, style, cluster in drawing.nodes:
        if cluster is None:
            dot.node(node_id, label, **style)
    for cluster_number, (module_name, cluster_label) in enumerate(cluster_labels.items()):
        members = [(node_id, label, style) for node_id, label, style, cluster in drawing.nodes if cluster == module_name]
        if not members:
            continue
        with dot.subgraph(name=f"cluster_{cluster_number}") as box:
            box.attr(label=cluster_label, style="rounded,dashed", color="#737373", fontname=FONT, fontsize="12")
            for node_id, label, style in members:
                box.node(node_id, label, **style)
    for tail, head in drawing.edges:
        dot.edge(tail, head)
    if legend:
        _add_legend(dot, drawing.kinds, lang)
    return dot


def _check_size(count: int, max_nodes: int, collapsed: bool, full_count: int | None = None) -> None:
    if count <= max_nodes:
        return
    if collapsed:
        raise ValueError(
            f"draw_graph: the graph has {full_count} nodes, and still {count} after collapse=True, "
            f"more than max_nodes={max_nodes}; pass a larger max_nodes, or draw a smaller part "
            "of the computation (a tensor nearer the inputs)"
        )
    raise ValueError(
        f"draw_graph: the graph has {count} nodes (tensors and ops), more than max_nodes={max_nodes}; "
        f"pass a larger max_nodes (e.g. max_nodes={count}) or collapse=True to draw chains "
        "of ops as one node"
    )


def _titles(graph: _Graph, module: Any, names: Mapping[str, Tensor] | None) -> dict[int, str]:
    """Return the title of each tensor position that has one: `names`, then module, then `.name`."""
    titles: dict[int, str] = {}
    for position, tensor in enumerate(graph.tensors):
        if tensor.name:
            titles[position] = str(tensor.name)
    if module is not None and hasattr(module, "named_parameters"):
        for full_name, parameter in module.named_parameters():
            position = graph.index.get(id(parameter))
            if position is not None:
                titles[position] = full_name
    if names is not None:
        if not isinstance(names, Mapping):
            raise TypeError(f"draw_graph: names must be a dict of name -> Tensor, got {type(names).__name__}")
        for name, named in names.items():
            if not isinstance(named, Tensor):
                raise TypeError(f"draw_graph: names[{name!r}] must be a Tensor, got {type(named).__name__}")
            position = graph.index.get(id(named))
            if position is not None:
                titles[position] = str(name)
    return titles


def _is_folded_constant(tensor: Tensor, position: int, titles: Mapping[int, str]) -> bool:
    return tensor.op is None and not tensor.requires_grad and tensor.size <= 1 and position not in titles


def _tensor_node(
    position: int,
    graph: _Graph,
    titles: Mapping[int, str],
    show_values: bool,
    show_grads: bool,
    lang: str,
    precision: int,
) -> tuple[str, str, dict[str, str], str]:
    """Return (node id, HTML label, style, kind) of the tensor at `position`."""
    words = TEXT[lang]
    tensor = graph.tensors[position]
    is_root = position == len(graph.tensors) - 1
    kind = _kind(tensor, is_root)

    title = titles.get(position)
    if title is None:
        if kind in ("loss", "output"):
            title = words[kind]
        elif kind == "parameter":
            title = words["parameter"]
        elif kind == "input":
            title = words["constant"] if tensor.size <= 1 else words["input_name"]

    values = _describe(tensor.data, precision, words) if show_values else []
    grads: list[str] = []
    if show_grads and tensor.grad is not None:
        grads = _describe(np.asarray(tensor.grad), precision, words)

    # The course writes gradients as dL/dW(1), which needs a title on both ends.
    root_title = titles.get(len(graph.tensors) - 1)
    if root_title and position in titles and not is_root:
        grad_word = f"∂{root_title}/∂{titles[position]} ="
    else:
        grad_word = words["grad"]
    label = _html_label(title, _shape_text(tensor, words), values, grads, grad_word)
    return f"t{position}", label, dict(STYLES[kind]), kind


def _full_drawing(
    graph: _Graph,
    titles: Mapping[int, str],
    owners: Mapping[int, str],
    show_values: bool,
    show_grads: bool,
    lang: str,
    precision: int,
) -> _Drawing:
    """Lay out one node per tensor and one per op."""
    drawing = _Drawing()
    op_clusters = {
        position: _op_cluster(position, graph, owners)
        for position, tensor in enumerate(graph.tensors)
        if tensor.op is not None
    }
    for position, tensor in enumerate(graph.tensors):
        node_id, label, style, kind = _tensor_node(position, graph, titles, show_values, show_grads, lang, precision)
        if tensor.op is not None:
            op_id = f"op{position}"
            drawing.kinds.add("op")
            drawing.nodes.append((op_id, html.escape(tensor.op.name), dict(STYLES["op"]), op_clusters[position]))
            for parent in tensor.op.parents:
                drawing.edges.append((f"t{graph.index[id(parent)]}", op_id))
            drawing.edges.append((op_id, node_id))

        drawing.kinds.add(kind)
        drawing.nodes.append((node_id, label, style, _tensor_cluster(position, graph, owners, op_clusters)))
    return drawing


def _tensor_cluster(
    position: int, graph: _Graph, owners: Mapping[int, str], op_clusters: Mapping[int, str | None]
) -> str | None:
    """Return the module box a tensor is drawn in, or None to draw it outside all boxes.

    A parameter sits in its module's box. An op result sits there only when its op and
    every op that reads it are in that box, so a layer's output stays outside.
    """
    tensor = graph.tensors[position]
    if tensor.op is None:
        return owners.get(position) if tensor.requires_grad else None
    cluster = op_clusters.get(position)
    if cluster is None or position == len(graph.tensors) - 1:
        return None
    readers = graph.consumers[position]
    if readers and all(op_clusters.get(reader) == cluster for reader in readers):
        return cluster
    return None


def _collapsed_drawing(
    graph: _Graph,
    titles: Mapping[int, str],
    owners: Mapping[int, str],
    show_values: bool,
    show_grads: bool,
    lang: str,
    precision: int,
) -> _Drawing:
    """Lay out a condensed graph: named tensors, leaves, and one hexagon per chain of ops.

    An op joins the chain of the op before it when its only drawn input is that op's
    result, and nothing else reads that result. Unnamed intermediate results and
    unnamed one-element constants are not drawn.
    """
    words = TEXT[lang]
    root = len(graph.tensors) - 1
    folded = {p for p, t in enumerate(graph.tensors) if _is_folded_constant(t, p, titles)}
    drawn = {
        p
        for p, t in enumerate(graph.tensors)
        if p not in folded and (t.op is None or p in titles or p == root)
    }

    chain_of: dict[int, int] = {}  # op result position -> position of its chain's first op result
    chains: dict[int, list[int]] = {}
    for position, tensor in enumerate(graph.tensors):
        if tensor.op is None:
            continue
        inputs = {graph.index[id(parent)] for parent in tensor.op.parents} - folded
        previous = next(iter(inputs)) if len(inputs) == 1 else None
        joins = (
            previous is not None
            and previous in chain_of
            and previous not in drawn
            and len(graph.consumers[previous]) == 1
        )
        start = chain_of[previous] if joins else position
        chain_of[position] = start
        chains.setdefault(start, []).append(position)

    drawing = _Drawing()
    for position in sorted(drawn):
        node_id, label, style, kind = _tensor_node(position, graph, titles, show_values, show_grads, lang, precision)
        drawing.kinds.add(kind)
        cluster = owners.get(position) if graph.tensors[position].op is None else None
        drawing.nodes.append((node_id, label, style, cluster))

    for start, members in chains.items():
        chain_id = f"op{start}"
        op_names = [graph.tensors[p].op.name for p in members]
        kind = "chain" if len(members) > 1 else "op"
        drawing.kinds.add(kind)
        label = html.escape(_chain_label(op_names))
        if len(members) > 1:
            label = f"<{label}<BR/><FONT POINT-SIZE=\"9\">{len(members)} {html.escape(words['ops'])}</FONT>>"
        drawing.nodes.append((chain_id, label, dict(STYLES[kind]), _op_cluster(start, graph, owners)))

        member_set = set(members)
        for position in members:
            for parent in graph.tensors[position].op.parents:
                source = graph.index[id(parent)]
                if source in folded or source in member_set:
                    continue
                tail = f"t{source}" if source in drawn else f"op{chain_of[source]}"
                drawing.edges.append((tail, chain_id))
            if position in drawn:
                drawing.edges.append((chain_id, f"t{position}"))
    drawing.nodes.sort(key=lambda node: _node_order(node[0]))
    return drawing


def _node_order(node_id: str) -> tuple[int, int]:
    # Tensors and ops interleave by walk position, with an op just before its result.
    if node_id.startswith("op"):
        return int(node_id[2:]), 0
    return int(node_id[1:]), 1


def _chain_label(op_names: list[str], max_runs: int = 6) -> str:
    """Return "Linear → Sigmoid" or "Add ×1000": the op names with repeats counted."""
    runs: list[list[Any]] = []
    for name in op_names:
        if runs and runs[-1][0] == name:
            runs[-1][1] += 1
        else:
            runs.append([name, 1])
    parts = [name if count == 1 else f"{name} ×{count}" for name, count in runs]
    if len(parts) > max_runs:
        parts = parts[: max_runs - 1] + ["…", parts[-1]]
    return " → ".join(parts)


def _add_legend(dot: Any, kinds: Iterable[str], lang: str) -> None:
    """Add a box with one sample node per kind that appears in the drawing."""
    words = TEXT[lang]
    order = ["input", "parameter", "op", "chain", "intermediate", "loss", "output"]
    present = [kind for kind in order if kind in set(kinds)]
    if not present:
        return
    with dot.subgraph(name="cluster_legend") as box:
        box.attr(label=words["legend"], style="rounded", color="#bdbdbd", fontname=FONT, fontsize="12")
        for kind in present:
            box.node(f"legend_{kind}", words[kind], **STYLES[kind])
        # Invisible edges keep the samples in one row (or column) instead of scattered.
        for first, second in zip(present, present[1:]):
            box.edge(f"legend_{first}", f"legend_{second}", style="invis")


# ---- saving ---------------------------------------------------------------------------


def save_graph(graph: Any, path: str | os.PathLike, lang: str = "en") -> Path:
    """Write a drawn graph to `path` as SVG, PNG, PDF or DOT, chosen by the file suffix.

    The file is written whole (a temporary file, then a rename), so a reader never
    sees half a picture and a failed render leaves an older file in place. SVG, PNG
    and PDF need the Graphviz `dot` program; DOT (suffix .dot or .gv) is the plain
    graph description and needs nothing.

    Args:
        graph: a `graphviz.Digraph`, e.g. from `draw_graph`.
        path: the file to write; its folder is created if missing.
        lang: "en" or "de" for the message of GraphvizNotFoundError.

    Returns:
        The path written.

    Raises:
        GraphvizNotFoundError: `dot` is not installed. The DOT source has been
            written next to `path` (same name, suffix .dot). The message names that
            file and explains how to install Graphviz.
        ValueError: the suffix is not .svg, .png, .pdf, .dot or .gv.

    Example:
        >>> import tempfile
        >>> from tinygrad_edu import Tensor
        >>> L = (Tensor([1.0, 2.0], requires_grad=True) * 3.0).sum()
        >>> folder = Path(tempfile.mkdtemp())
        >>> save_graph(draw_graph(L), folder / "graph.dot").name
        'graph.dot'
    """
    check_lang("save_graph", lang)
    if not hasattr(graph, "source") or not hasattr(graph, "pipe"):
        raise TypeError(f"save_graph: expected a graphviz.Digraph (e.g. from draw_graph), got {type(graph).__name__}")
    path = Path(path)
    if path.suffix.lower() == ".gv":
        return write_file(path, graph.source)
    path, file_format = output_format("save_graph", path, GRAPH_FORMATS + ("gv",))
    if file_format == "dot":
        return write_file(path, graph.source)

    graphviz = import_optional("graphviz", "save_graph")
    if shutil.which("dot") is None:
        _raise_missing_dot(graph, path, lang, cause=None)
    try:
        # pipe() renders in memory, so the target is only ever written whole.
        data = graph.pipe(format=file_format)
    except graphviz.ExecutableNotFound as error:
        _raise_missing_dot(graph, path, lang, cause=error)
    return write_file(path, data)


def _raise_missing_dot(graph: Any, path: Path, lang: str, cause: BaseException | None) -> None:
    dot_path = write_file(path.with_suffix(".dot"), graph.source)
    if lang == "de":
        message = (
            f"Das Graphviz-Programm `dot` wurde nicht gefunden, daher wurde {path.name} nicht erzeugt. "
            f"Der Graph steht als DOT-Datei in {dot_path}. {INSTALL_GRAPHVIZ['de']} "
            f"Danach: dot -T{path.suffix.lstrip('.').lower()} {dot_path} -o {path}"
        )
    else:
        message = (
            f"The Graphviz program `dot` was not found, so {path.name} was not written. "
            f"The graph is saved as DOT in {dot_path}. {INSTALL_GRAPHVIZ['en']} "
            f"Then run: dot -T{path.suffix.lstrip('.').lower()} {dot_path} -o {path}"
        )
    raise GraphvizNotFoundError(message, dot_path) from cause
