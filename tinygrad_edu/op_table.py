"""The op table of docs/ops.md and docs/ops.de.md: forward, backward and conventions of each op.

One row per `Op` subclass in the ops package. The formulas are written once (those
with words have German forms in FORMULAS_DE); the notes are given in English and German. `render(lang)` returns a page;
`python -m tinygrad_edu.op_table` rewrites both pages. The tests check that every
op has a row, that each row's call really runs that op, and that the pages equal
`render`'s output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class OpRow:
    """One op: its class name, a call that runs it, its formulas and notes."""

    op: str
    call: str
    forward: tuple[str, ...]
    backward: tuple[str, ...]
    notes: dict[str, str]


@dataclass(frozen=True)
class Section:
    """A group of ops under one heading."""

    title: dict[str, str]
    rows: tuple[OpRow, ...]


SECTIONS = (
    Section(
        {"en": "Arithmetic", "de": "Arithmetik"},
        (
            OpRow(
                "Add", "a + b", ("y = a + b",), ("dL/da = sum_to(G, a.shape)", "dL/db = sum_to(G, b.shape)"),
                {
                    "en": "numpy broadcasting; the backward of a broadcast is a sum over the repeated axes.",
                    "de": "Broadcasting wie in numpy; rückwärts wird über die wiederholten Achsen summiert.",
                },
            ),
            OpRow(
                "Sub", "a - b", ("y = a - b",), ("dL/da = sum_to(G, a.shape)", "dL/db = -sum_to(G, b.shape)"),
                {
                    "en": "Reverse forms such as `2 - t` and `np.ndarray - t` work.",
                    "de": "Umgekehrte Formen wie `2 - t` und `np.ndarray - t` funktionieren.",
                },
            ),
            OpRow(
                "Mul", "a * b", ("y = a * b",), ("dL/da = sum_to(G * b, a.shape)", "dL/db = sum_to(G * a, b.shape)"),
                {"en": "Element-wise product.", "de": "Elementweises Produkt."},
            ),
            OpRow(
                "Div", "a / b", ("y = a / b",), ("dL/da = sum_to(G / b, a.shape)", "dL/db = sum_to(-G * a / b^2, b.shape)"),
                {
                    "en": "Division by 0 gives inf or NaN, as in numpy; `1 / t` works.",
                    "de": "Division durch 0 ergibt inf oder NaN wie in numpy; `1 / t` funktioniert.",
                },
            ),
            OpRow(
                "Pow", "a ** b", ("y = a^b",), ("dL/da = sum_to(G * b * a^(b-1), a.shape)", "dL/db = sum_to(G * a^b * ln a, b.shape)"),
                {
                    "en": "As in PyTorch: dL/da = 0 where b = 0 (also at a = 0), dL/db = 0 where a = 0 and "
                    "b >= 0, and dL/db is NaN for a < 0. `2 ** t` works.",
                    "de": "Wie in PyTorch: dL/da = 0, wo b = 0 (auch bei a = 0), dL/db = 0, wo a = 0 und "
                    "b >= 0, und dL/db ist NaN für a < 0. `2 ** t` funktioniert.",
                },
            ),
            OpRow(
                "Neg", "-a", ("y = -a",), ("dL/da = -G",),
                {"en": "", "de": ""},
            ),
            OpRow(
                "Cast", "x.astype(np.float32)", ("y = x in another float dtype",), ("dL/dx = G cast to x's dtype",),
                {
                    "en": "A cast to an integer or bool dtype returns a tensor without a graph, as in PyTorch.",
                    "de": "Eine Umwandlung in einen Ganzzahl- oder bool-Typ gibt einen Tensor ohne Graph "
                    "zurück, wie in PyTorch.",
                },
            ),
            OpRow(
                "MatMul", "a @ b", ("y = a @ b (numpy's matmul rules)",),
                ("dL/da = sum_to(G @ b^T, a.shape)", "dL/db = sum_to(a^T @ G, b.shape)"),
                {
                    "en": "A 1-D left operand is a row vector, a 1-D right operand a column vector; "
                    "1-D @ 1-D is the dot product (0-d). Batch axes broadcast and their gradients are summed.",
                    "de": "Ein 1-D-Operand links ist ein Zeilenvektor, rechts ein Spaltenvektor; "
                    "1-D @ 1-D ist das Skalarprodukt (0-d). Batch-Achsen werden gebroadcastet, ihre "
                    "Gradienten summiert.",
                },
            ),
        ),
    ),
    Section(
        {"en": "Element-wise functions", "de": "Elementweise Funktionen"},
        (
            OpRow(
                "Exp", "x.exp()", ("y = e^x",), ("dL/dx = G * y",),
                {
                    "en": "Overflows to inf above x = 709 in float64 (88 in float32).",
                    "de": "Läuft oberhalb von x = 709 in float64 (88 in float32) nach inf über.",
                },
            ),
            OpRow(
                "Log", "x.log()", ("y = ln x",), ("dL/dx = G / x",),
                {
                    "en": "-inf at x = 0 and an infinite gradient there, as in PyTorch; `detect_anomaly()` reports both.",
                    "de": "-inf bei x = 0 und dort ein unendlicher Gradient, wie in PyTorch; "
                    "`detect_anomaly()` meldet beides.",
                },
            ),
            OpRow(
                "Sqrt", "x.sqrt()", ("y = sqrt(x)",), ("dL/dx = G / (2 y)",),
                {
                    "en": "The gradient is inf at x = 0, as in PyTorch.",
                    "de": "Der Gradient ist bei x = 0 unendlich, wie in PyTorch.",
                },
            ),
            OpRow(
                "Square", "x.square()", ("y = x^2",), ("dL/dx = 2 x G",),
                {"en": "", "de": ""},
            ),
            OpRow(
                "Abs", "x.abs()", ("y = abs(x)",), ("dL/dx = G * sign(x)",),
                {
                    "en": "The derivative at x = 0 is taken as 0, as in PyTorch.",
                    "de": "Die Ableitung bei x = 0 ist 0, wie in PyTorch.",
                },
            ),
            OpRow(
                "Clip", "x.clip(lo, hi)", ("y = min(max(x, lo), hi)",), ("dL/dx = G where lo <= x <= hi, else 0",),
                {
                    "en": "Both bounds are inclusive, as in PyTorch's clamp. One bound may be None; "
                    "lo > hi raises ValueError.",
                    "de": "Beide Grenzen gehören dazu, wie bei PyTorchs clamp. Eine Grenze darf None sein; "
                    "lo > hi löst ValueError aus.",
                },
            ),
        ),
    ),
    Section(
        {"en": "Activations", "de": "Aktivierungsfunktionen"},
        (
            OpRow(
                "Sigmoid", "z.sigmoid()", ("y = 1 / (1 + e^-z)",), ("dL/dz = G * y * (1 - y)",),
                {
                    "en": "Computed from e^-abs(z), so no exp overflows for any z. The derivative is at most 0.25 "
                    "(at z = 0), the cause of vanishing gradients in deep sigmoid networks.",
                    "de": "Aus e^-abs(z) berechnet, daher läuft exp für kein z über. Die Ableitung ist höchstens "
                    "0.25 (bei z = 0), die Ursache verschwindender Gradienten in tiefen Sigmoid-Netzen.",
                },
            ),
            OpRow(
                "Tanh", "z.tanh()", ("y = tanh z",), ("dL/dz = G * (1 - y^2)",),
                {"en": "", "de": ""},
            ),
            OpRow(
                "ReLU", "z.relu()", ("y = max(z, 0)",), ("dL/dz = G where z > 0, else 0",),
                {
                    "en": "The derivative at z = 0 is 0, as in PyTorch and the course. relu(-inf) = 0.",
                    "de": "Die Ableitung bei z = 0 ist 0, wie in PyTorch und in der Übung. relu(-inf) = 0.",
                },
            ),
            OpRow(
                "LeakyReLU", "z.leaky_relu(negative_slope)", ("y = z where z > 0, else s z",),
                ("dL/dz = G where z > 0, else s G",),
                {
                    "en": "s = negative_slope, default 0.01. At z = 0 the slope s applies, as in PyTorch.",
                    "de": "s = negative_slope, Standard 0.01. Bei z = 0 gilt die Steigung s, wie in PyTorch.",
                },
            ),
            OpRow(
                "Softplus", "z.softplus()", ("y = ln(1 + e^z)",), ("dL/dz = G * sigmoid(z)",),
                {
                    "en": "Computed as logaddexp(0, z), so large z gives y = z without overflow.",
                    "de": "Als logaddexp(0, z) berechnet, daher ergibt großes z ohne Überlauf y = z.",
                },
            ),
            OpRow(
                "LogSigmoid", "z.logsigmoid()", ("y = ln sigmoid(z) = -ln(1 + e^-z)",), ("dL/dz = G * sigmoid(-z)",),
                {
                    "en": "Stable: logsigmoid(-1000) = -1000, where ln(sigmoid(z)) would give -inf.",
                    "de": "Stabil: logsigmoid(-1000) = -1000, wo ln(sigmoid(z)) -inf ergäbe.",
                },
            ),
            OpRow(
                "GELU", "z.gelu()", ("y = z/2 * (1 + tanh u)", "u = sqrt(2/pi) * (z + 0.044715 z^3)"),
                ("dL/dz = G * (1/2 (1 + tanh u) + z/2 (1 - tanh^2 u) du/dz)", "du/dz = sqrt(2/pi) * (1 + 3 * 0.044715 z^2)"),
                {
                    "en": "The tanh approximation, PyTorch's `gelu(approximate=\"tanh\")`, not the exact erf form.",
                    "de": "Die tanh-Näherung, PyTorchs `gelu(approximate=\"tanh\")`, nicht die exakte erf-Form.",
                },
            ),
        ),
    ),
    Section(
        {"en": "Reductions", "de": "Reduktionen"},
        (
            OpRow(
                "Sum", "x.sum(axis, keepdims)", ("y = sum of x over axis",), ("dL/dx = G broadcast back over the reduced axes",),
                {
                    "en": "axis is None (all), an int or a tuple; negative axes count from the end. A 0-d tensor "
                    "accepts axis 0 or -1, as in PyTorch.",
                    "de": "axis ist None (alle), ein int oder ein Tupel; negative Achsen zählen vom Ende. Ein "
                    "0-d-Tensor nimmt axis 0 oder -1, wie in PyTorch.",
                },
            ),
            OpRow(
                "Mean", "x.mean(axis, keepdims)", ("y = (sum of x over axis) / n",), ("dL/dx = G / n broadcast back over the reduced axes",),
                {
                    "en": "n is the number of reduced elements. The mean over an empty axis is NaN, as in numpy and PyTorch.",
                    "de": "n ist die Anzahl der reduzierten Elemente. Der Mittelwert über eine leere Achse ist NaN, "
                    "wie in numpy und PyTorch.",
                },
            ),
            OpRow(
                "Max", "x.max(axis, keepdims)", ("y = max of x over axis",),
                ("dL/dx = G / k for each of the k elements equal to the max, else 0",),
                {
                    "en": "Ties share the gradient evenly, as PyTorch's amax does (not max(dim), which picks one "
                    "index). Reducing an axis of size 0 raises ValueError.",
                    "de": "Gleichstände teilen den Gradienten gleichmäßig, wie PyTorchs amax (nicht max(dim), das "
                    "einen Index wählt). Eine Achse der Größe 0 zu reduzieren löst ValueError aus.",
                },
            ),
            OpRow(
                "Min", "x.min(axis, keepdims)", ("y = min of x over axis",),
                ("dL/dx = G / k for each of the k elements equal to the min, else 0",),
                {
                    "en": "Ties share the gradient evenly, as PyTorch's amin does.",
                    "de": "Gleichstände teilen den Gradienten gleichmäßig, wie PyTorchs amin.",
                },
            ),
            OpRow(
                "Softmax", "x.softmax(axis)", ("y_i = e^(x_i - m) / sum_j e^(x_j - m), m = max_j x_j",),
                ("dL/dx = y * (G - sum_j G_j y_j)",),
                {
                    "en": "Shifting by the max changes nothing mathematically and keeps exp from overflowing. "
                    "axis is one int, default -1.",
                    "de": "Die Verschiebung um das Maximum ändert mathematisch nichts und verhindert den Überlauf "
                    "von exp. axis ist ein int, Standard -1.",
                },
            ),
            OpRow(
                "LogSoftmax", "x.log_softmax(axis)", ("y_i = x_i - m - ln sum_j e^(x_j - m)",),
                ("dL/dx = G - softmax(x) * sum_j G_j",),
                {
                    "en": "Stable for large logits: log_softmax([1000, 0]) = [0, -1000].",
                    "de": "Stabil für große Logits: log_softmax([1000, 0]) = [0, -1000].",
                },
            ),
        ),
    ),
    Section(
        {"en": "Shape, indexing and selection", "de": "Form, Indizierung und Auswahl"},
        (
            OpRow(
                "Reshape", "x.reshape(*shape)", ("y = the elements of x in a new shape",), ("dL/dx = G reshaped to x.shape",),
                {
                    "en": "Also behind squeeze, unsqueeze and flatten. -1 infers one dimension.",
                    "de": "Steckt auch hinter squeeze, unsqueeze und flatten. -1 ergänzt eine Dimension.",
                },
            ),
            OpRow(
                "Transpose", "x.transpose(*axes)", ("y = x with its axes permuted",), ("dL/dx = G with the inverse permutation",),
                {
                    "en": "Without axes, and as `.T`, all axes are reversed (numpy's rule).",
                    "de": "Ohne axes, und als `.T`, werden alle Achsen umgekehrt (Regel von numpy).",
                },
            ),
            OpRow(
                "Expand", "x.expand(*sizes)", ("y = numpy.broadcast_to(x, sizes)",), ("dL/dx = sum_to(G, x.shape)",),
                {
                    "en": "Also available as broadcast_to. Only size-1 or missing leading axes can grow; "
                    "-1 keeps an axis's size, as in PyTorch.",
                    "de": "Auch als broadcast_to. Nur Achsen der Größe 1 oder fehlende vordere Achsen wachsen; "
                    "-1 behält die Größe einer Achse, wie in PyTorch.",
                },
            ),
            OpRow(
                "Index", "x[key]", ("y = x[key] (numpy's rules)",), ("dL/dx = zeros of x.shape with G added at key",),
                {
                    "en": "Integers, slices (also negative steps), boolean masks, integer arrays and Tensors. "
                    "A repeated index receives the sum of its gradients (numpy.add.at).",
                    "de": "Ganzzahlen, Slices (auch mit negativer Schrittweite), boolesche Masken, "
                    "Ganzzahl-Arrays und Tensoren. Ein wiederholter Index erhält die Summe seiner Gradienten "
                    "(numpy.add.at).",
                },
            ),
            OpRow(
                "Concatenate", "concatenate([a, b], axis)", ("y = a and b joined along axis",),
                ("dL/da, dL/db = G split at the same boundaries",),
                {
                    "en": "Each input gets its gradient in its own dtype.",
                    "de": "Jede Eingabe erhält ihren Gradienten in ihrem eigenen dtype.",
                },
            ),
            OpRow(
                "Stack", "stack([a, b], axis)", ("y = a and b stacked along a new axis",), ("dL/da, dL/db = the slices of G along that axis",),
                {
                    "en": "All inputs need the same shape.",
                    "de": "Alle Eingaben brauchen dieselbe Form.",
                },
            ),
            OpRow(
                "Where", "where(condition, a, b)", ("y = a where condition, else b",),
                ("dL/da = sum_to(G where condition, else 0)", "dL/db = sum_to(G where not condition, else 0)"),
                {
                    "en": "The condition gets no gradient. A Python number takes the dtype of the other operand.",
                    "de": "Die Bedingung erhält keinen Gradienten. Eine Python-Zahl übernimmt den dtype des anderen "
                    "Operanden.",
                },
            ),
        ),
    ),
    Section(
        {"en": "Fused layer and losses", "de": "Zusammengefasste Schicht und Verlustfunktionen"},
        (
            OpRow(
                "Linear", "ops.linear(x, W, bias)", ("z = x W^T + b",),
                ("dL/dx = G W", "dL/dW = G^T x", "dL/db = sum of G over the batch"),
                {
                    "en": "W has shape (out, in), as the course's W(l) and PyTorch. One op in place of matmul, "
                    "transpose and add keeps the graph small. A bias of another shape than (out,) raises ValueError.",
                    "de": "W hat die Form (out, in), wie W(l) in der Übung und in PyTorch. Eine Op statt matmul, "
                    "transpose und add hält den Graphen klein. Ein Bias mit einer anderen Form als (out,) löst "
                    "ValueError aus.",
                },
            ),
            OpRow(
                "BinaryCrossEntropy", "ops.binary_cross_entropy(p, y)", ("L = -[y ln p + (1 - y) ln(1 - p)]",),
                ("dL/dp = G (p - y) / (p (1 - p))", "dL/dy = G (ln(1 - p) - ln p)"),
                {
                    "en": "Each log is clamped at -100, as PyTorch documents, so p = 0 or 1 gives a loss of at "
                    "most 100. The target must broadcast to p's shape without enlarging it: (N,) against (N, 1) "
                    "raises ValueError. reduction is mean (default), sum or none; mean divides G by the number of "
                    "elements.",
                    "de": "Jeder Logarithmus wird wie in PyTorch bei -100 begrenzt, daher ergibt p = 0 oder 1 "
                    "einen Verlust von höchstens 100. Das Ziel muss sich auf die Form von p broadcasten lassen, "
                    "ohne sie zu vergrößern: (N,) gegen (N, 1) löst ValueError aus. reduction ist mean (Standard), "
                    "sum oder none; mean teilt G durch die Anzahl der Elemente.",
                },
            ),
            OpRow(
                "BinaryCrossEntropyWithLogits", "ops.binary_cross_entropy_with_logits(z, y)",
                ("L = max(z, 0) - z y + ln(1 + e^-abs(z))",), ("dL/dz = G (sigmoid(z) - y)", "dL/dy = -G z"),
                {
                    "en": "Equals BCE of sigmoid(z), but exact for any z: the course's dL/dz(3) = y_hat - y.",
                    "de": "Gleich der BCE von sigmoid(z), aber exakt für jedes z: dL/dz(3) = y_hat - y aus der Übung.",
                },
            ),
            OpRow(
                "CrossEntropy", "ops.cross_entropy(logits, t)", ("L_n = -ln softmax(a_n)[t_n]",),
                ("dL/da_n = G_n (softmax(a_n) - onehot(t_n))",),
                {
                    "en": "logits a of shape (N, C), integer class indices t of shape (N,). Float class "
                    "indices raise TypeError.",
                    "de": "Logits a der Form (N, C), ganzzahlige Klassenindizes t der Form (N,). "
                    "Klassenindizes als Gleitkommazahlen lösen TypeError aus.",
                },
            ),
        ),
    ),
)

ROWS = tuple(row for section in SECTIONS for row in section.rows)

TEXT = {
    "en": {
        "title": "Op table",
        "other": "*Deutsch: [ops.de.md](ops.de.md)*",
        "intro": (
            "Every op of `tinygrad_edu/ops/`, with its forward and backward formula. "
            "y is the op's output and G = dL/dy the gradient that backward receives, of y's shape. "
            "sum_to(T, shape) sums T over the axes that broadcasting added or stretched "
            "(`tensor.unbroadcast`), so every gradient has its input's shape. "
            "Every backward returns gradients in the input's dtype: float32 stays float32. "
            "At kinks and ties the ops follow PyTorch. "
            "How backward walks the graph is in [autograd.md](autograd.md)."
        ),
        "generated": "This page is generated from `tinygrad_edu/op_table.py` by `python -m tinygrad_edu.op_table`; "
        "edit that file, not this page.",
        "columns": ("Op", "Call", "Forward", "Backward", "Notes"),
    },
    "de": {
        "title": "Tabelle der Ops",
        "other": "*English: [ops.md](ops.md)*",
        "intro": (
            "Jede Op aus `tinygrad_edu/ops/` mit der Formel ihres Vorwärts- und Rückwärtsdurchlaufs. "
            "y ist die Ausgabe der Op und G = dL/dy der Gradient, den backward erhält, in der Form von y. "
            "sum_to(T, shape) summiert T über die Achsen, die Broadcasting hinzugefügt oder gestreckt hat "
            "(`tensor.unbroadcast`), daher hat jeder Gradient die Form seiner Eingabe. "
            "Jeder Rückwärtsdurchlauf liefert Gradienten im dtype der Eingabe: float32 bleibt float32. "
            "An Knicken und bei Gleichständen folgen die Ops PyTorch. "
            "Wie backward den Graphen durchläuft, steht in [autograd.de.md](autograd.de.md)."
        ),
        "generated": "Diese Seite wird aus `tinygrad_edu/op_table.py` mit `python -m tinygrad_edu.op_table` "
        "erzeugt; ändern Sie jene Datei, nicht diese Seite.",
        "columns": ("Op", "Aufruf", "Vorwärts", "Rückwärts", "Hinweise"),
    },
}


def _code_cell(lines: tuple[str, ...]) -> str:
    return "<br>".join(f"`{line}`" for line in lines)


# The formulas are written once, in English where they need words; these are the
# German forms of the ones with words. Pure formulas are the same in both languages.
FORMULAS_DE = {
    "y = x in another float dtype": "y = x in einem anderen float-dtype",
    "dL/dx = G cast to x's dtype": "dL/dx = G, umgewandelt in den dtype von x",
    "y = a @ b (numpy's matmul rules)": "y = a @ b (Regeln von numpys matmul)",
    "dL/dx = G where lo <= x <= hi, else 0": "dL/dx = G, wo lo <= x <= hi, sonst 0",
    "dL/dz = G where z > 0, else 0": "dL/dz = G, wo z > 0, sonst 0",
    "y = z where z > 0, else s z": "y = z, wo z > 0, sonst s z",
    "dL/dz = G where z > 0, else s G": "dL/dz = G, wo z > 0, sonst s G",
    "y = sum of x over axis": "y = Summe von x über axis",
    "dL/dx = G broadcast back over the reduced axes": "dL/dx = G, zurück über die reduzierten Achsen verteilt",
    "y = (sum of x over axis) / n": "y = (Summe von x über axis) / n",
    "dL/dx = G / n broadcast back over the reduced axes": "dL/dx = G / n, zurück über die reduzierten Achsen verteilt",
    "y = max of x over axis": "y = Maximum von x über axis",
    "dL/dx = G / k for each of the k elements equal to the max, else 0":
        "dL/dx = G / k für jedes der k Elemente gleich dem Maximum, sonst 0",
    "y = min of x over axis": "y = Minimum von x über axis",
    "dL/dx = G / k for each of the k elements equal to the min, else 0":
        "dL/dx = G / k für jedes der k Elemente gleich dem Minimum, sonst 0",
    "y = the elements of x in a new shape": "y = die Elemente von x in neuer Form",
    "dL/dx = G reshaped to x.shape": "dL/dx = G, umgeformt zu x.shape",
    "y = x with its axes permuted": "y = x mit vertauschten Achsen",
    "dL/dx = G with the inverse permutation": "dL/dx = G mit der inversen Permutation",
    "y = x[key] (numpy's rules)": "y = x[key] (Regeln von numpy)",
    "dL/dx = zeros of x.shape with G added at key": "dL/dx = Nullen der Form x.shape, G bei key addiert",
    "y = a and b joined along axis": "y = a und b entlang axis aneinandergefügt",
    "dL/da, dL/db = G split at the same boundaries": "dL/da, dL/db = G, an denselben Grenzen geteilt",
    "y = a and b stacked along a new axis": "y = a und b entlang einer neuen Achse gestapelt",
    "dL/da, dL/db = the slices of G along that axis": "dL/da, dL/db = die Schnitte von G entlang dieser Achse",
    "y = a where condition, else b": "y = a, wo condition gilt, sonst b",
    "dL/da = sum_to(G where condition, else 0)": "dL/da = sum_to(G, wo condition gilt, sonst 0)",
    "dL/db = sum_to(G where not condition, else 0)": "dL/db = sum_to(G, wo condition nicht gilt, sonst 0)",
    "dL/db = sum of G over the batch": "dL/db = Summe von G über den Batch",
}


def _formulas(formulas: tuple[str, ...], lang: str) -> tuple[str, ...]:
    if lang != "de":
        return formulas
    return tuple(FORMULAS_DE.get(formula, formula) for formula in formulas)


def render(lang: str) -> str:
    """Render the op table page in `lang` ("en" or "de") as Markdown."""
    if lang not in TEXT:
        raise ValueError(f"op_table.render: lang must be 'en' or 'de', got {lang!r}")
    text = TEXT[lang]
    lines = [
        f"# {text['title']}",
        "",
        text["other"],
        "",
        text["intro"],
        "",
        f"<!-- {text['generated']} -->",
    ]
    for section in SECTIONS:
        lines += ["", f"## {section.title[lang]}", ""]
        lines.append("| " + " | ".join(text["columns"]) + " |")
        lines.append("|" + "---|" * len(text["columns"]))
        for row in section.rows:
            cells = [
                f"`{row.op}`",
                f"`{row.call}`",
                _code_cell(_formulas(row.forward, lang)),
                _code_cell(_formulas(row.backward, lang)),
                row.notes[lang],
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def page_path(docs_dir: Path, lang: str) -> Path:
    """Return the path of the op table page in `lang` inside `docs_dir`."""
    return docs_dir / ("ops.md" if lang == "en" else f"ops.{lang}.md")


def main() -> None:
    """Rewrite docs/ops.md and docs/ops.de.md of the source checkout."""
    from tinygrad_edu.files import write_atomic

    docs_dir = Path(__file__).resolve().parent.parent / "docs"
    for lang in TEXT:
        write_atomic(page_path(docs_dir, lang), render(lang))


if __name__ == "__main__":
    main()
