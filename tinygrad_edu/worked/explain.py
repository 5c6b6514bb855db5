"""Write out the forward and backward pass of a worked example, step by step, with numbers.

The backward pass is the course's chain rule, layer by layer:
delta(l) = (W(l+1))^T delta(l+1) * f'(z(l)), dL/dW(l) = delta(l) (a(l-1))^T, dL/db(l) = delta(l).
Output is Markdown or LaTeX, in German or English.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinygrad_edu.worked.checker import computed_values, resolve_example
from tinygrad_edu.worked.example import WorkedExample

__all__ = ["explain"]

TEXT = {
    "en": {
        "title": "Worked example, step by step",
        "network": "Network {sizes}, activations {activations}, loss {loss}; input x = {x}, target y = {y}.",
        "forward": "Forward pass",
        "backward": "Backward pass (chain rule)",
        "rule": "Each layer l, from the output back to the input, reuses the delta of the layer after it:",
        "output_layer": "Output layer (l = {layer})",
        "layer": "Layer {layer}",
        "simplifies": "With a sigmoid output and binary cross-entropy, {product} simplifies to {difference}.",
        "numbers": "All numbers are computed by autodiff from the inputs and rounded to 4 decimals.",
    },
    "de": {
        "title": "Rechenbeispiel Schritt für Schritt",
        "network": "Netz {sizes}, Aktivierungen {activations}, Verlust {loss}; Eingabe x = {x}, Ziel y = {y}.",
        "forward": "Vorwärtsdurchlauf",
        "backward": "Rückwärtsdurchlauf (Kettenregel)",
        "rule": "Jede Schicht l, vom Ausgang zurück zum Eingang, verwendet das delta der nachfolgenden Schicht l+1:",
        "output_layer": "Ausgabeschicht (l = {layer})",
        "layer": "Schicht {layer}",
        "simplifies": "Mit Sigmoid-Ausgabe und Binary Cross-Entropy vereinfacht sich {product} zu {difference}.",
        "numbers": "Alle Zahlen sind per Autodiff aus den Eingaben berechnet und auf 4 Nachkommastellen gerundet.",
    },
}


class _Writer:
    """Render names, numbers and equations as Markdown text or LaTeX math."""

    def __init__(self, fmt: str):
        self.latex = fmt == "latex"

    def name(self, quantity: str) -> str:
        if not self.latex:
            return quantity
        if quantity == "y_hat":
            return r"\hat{y}"
        if quantity in ("x", "y", "L"):
            return {"x": r"\mathbf{x}", "y": "y", "L": "L"}[quantity]
        if quantity == "dL/dy_hat":
            return r"\frac{\partial L}{\partial \hat{y}}"
        base, layer = quantity.rstrip(")").split("(")
        symbols = {
            "z": r"\mathbf{z}",
            "a": r"\mathbf{a}",
            "W": r"\mathbf{W}",
            "b": r"\mathbf{b}",
            "delta": r"\boldsymbol{\delta}",
        }
        if base.startswith("dL/d"):
            return rf"\frac{{\partial L}}{{\partial {symbols[base[4:]]}^{{({layer})}}}}"
        return rf"{symbols[base]}^{{({layer})}}"

    def number(self, value: np.ndarray | float) -> str:
        array = np.asarray(value, dtype=np.float64)
        if array.size == 1:
            return f"{array.item():.4f}"
        if self.latex:
            rows = array.reshape(-1, 1) if array.ndim == 1 else array
            body = r" \\ ".join(" & ".join(f"{v:.4f}" for v in row) for row in rows)
            return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"
        if array.ndim == 1:
            return "(" + ", ".join(f"{v:.4f}" for v in array) + ")"
        return "(" + ", ".join("(" + ", ".join(f"{v:.4f}" for v in row) + ")" for row in array) + ")"

    def transpose(self, text: str, is_number: bool = False) -> str:
        """Mark `text` as transposed; a name gets brackets, as in (W(2))^T."""
        if is_number:
            return f"{text}^T"
        return rf"\left({text}\right)^T" if self.latex else f"({text})^T"

    def given(self, value: np.ndarray) -> str:
        """Write an input or target as the file gives it, e.g. (0.5, 0.8) or 1."""
        array = np.asarray(value, dtype=np.float64).ravel()
        if array.size == 1:
            return f"{array[0]:g}"
        return "(" + ", ".join(f"{v:g}" for v in array) + ")"

    def times(self) -> str:
        return r" \odot " if self.latex else " * "

    def text(self, value: str) -> str:
        """Escape running text for LaTeX; Markdown text stays as it is."""
        if not self.latex:
            return value
        # The backslash goes first, so the escapes added after it stay intact.
        value = value.replace("\\", r"\textbackslash{}")
        for char in "_%&#$":
            value = value.replace(char, "\\" + char)
        return value

    def inline(self, math: str) -> str:
        """Wrap a formula for use inside running text."""
        return f"${math}$" if self.latex else f"`{math}`"

    def line(self, *parts: str) -> str:
        equation = " = ".join(parts)
        return rf"\[ {equation} \]" if self.latex else f"- {equation}"

    def heading(self, level: int, text: str) -> str:
        if self.latex:
            command = {1: "section*", 2: "subsection*", 3: "subsubsection*"}[level]
            return rf"\{command}{{{text}}}"
        return "#" * level + " " + text

    def activation(self, name: str, argument: str) -> str:
        if self.latex:
            return {"sigmoid": r"\sigma", "relu": r"\operatorname{ReLU}", "tanh": r"\tanh"}[name] + f"({argument})"
        return {"sigmoid": "sigma", "relu": "ReLU", "tanh": "tanh"}[name] + f"({argument})"

    def derivative(self, name: str, a: str) -> str:
        """Return f'(z) written in terms of a = f(z)."""
        if name == "sigmoid":
            return rf"{a} \odot (1 - {a})" if self.latex else f"{a} * (1 - {a})"
        if name == "tanh":
            return rf"(1 - {a}^2)" if self.latex else f"(1 - {a}^2)"
        return rf"[{a} > 0]"


def _derivative_value(name: str, a: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a * a
    return (a > 0).astype(np.float64)


def explain(example: WorkedExample | str | Path | None = None, lang: str = "en", fmt: str = "markdown") -> str:
    """Write the forward pass and the chain-rule steps of the backward pass, with numbers.

    Args:
        example: a WorkedExample, a path to a file, or None for the course's example.
        lang: "en" or "de".
        fmt: "markdown" or "latex" (a LaTeX fragment with \\[ ... \\] equations).

    Returns:
        The text; each step shows the formula in the course's notation, the numbers
        put in, and the result.

    Example:
        >>> print(explain(lang="en").splitlines()[0])
        # Worked example, step by step
    """
    if lang not in TEXT:
        raise ValueError(f"explain: lang must be 'en' or 'de', got {lang!r}")
    if fmt not in ("markdown", "latex"):
        raise ValueError(f"explain: fmt must be 'markdown' or 'latex', got {fmt!r}")
    example = resolve_example(example)
    strings = TEXT[lang]
    w = _Writer(fmt)
    values = computed_values(example)
    num_layers = example.num_layers

    def out_name(layer: int) -> str:
        if layer == 0:
            return "x"
        return "y_hat" if layer == num_layers else f"a({layer})"

    def value(name: str) -> np.ndarray:
        return example.x if name == "x" else values[name]

    lines = [w.heading(1, strings["title"]), ""]
    if example.title:
        lines += [w.text(example.title_in(lang)), ""]
    lines += [
        w.text(strings["network"]).format(
            sizes=list(example.layer_sizes),
            activations=", ".join(example.activations),
            loss=example.loss,
            x=w.given(example.x),
            y=w.given(example.y),
        ),
        strings["numbers"],
        "",
        w.heading(2, strings["forward"]),
        "",
    ]
    for layer in range(1, num_layers + 1):
        a_prev = out_name(layer - 1)
        lines.append(
            w.line(
                w.name(f"z({layer})"),
                f"{w.name(f'W({layer})')} {w.name(a_prev)} + {w.name(f'b({layer})')}",
                w.number(values[f"z({layer})"]),
            )
        )
        activation = example.activations[layer - 1]
        lines.append(
            w.line(
                w.name(out_name(layer)),
                w.activation(activation, w.name(f"z({layer})")),
                w.number(values[out_name(layer)]),
            )
        )
    if example.loss == "bce":
        loss_formula = (
            r"-\left[y \log \hat{y} + (1 - y) \log(1 - \hat{y})\right]"
            if w.latex
            else "-[y log(y_hat) + (1 - y) log(1 - y_hat)]"
        )
    else:
        loss_formula = r"\frac{1}{n} \sum_i (\hat{y}_i - y_i)^2" if w.latex else "mean((y_hat - y)^2)"
    lines += [w.line("L", loss_formula, w.number(values["L"])), ""]

    lines += [w.heading(2, strings["backward"]), "", strings["rule"], ""]
    general = [
        w.line(
            w.name("delta(l)"),
            f"{w.transpose(w.name('W(l+1)'))} {w.name('delta(l+1)')}{w.times()}f'({w.name('z(l)')})",
        ),
        w.line(w.name("dL/dW(l)"), f"{w.name('delta(l)')} {w.transpose(w.name('a(l-1)'))}"),
        w.line(w.name("dL/db(l)"), w.name("delta(l)")),
    ]
    lines += general + [""]

    for layer in range(num_layers, 0, -1):
        activation = example.activations[layer - 1]
        delta = w.name(f"delta({layer})")
        a_name = out_name(layer)
        if layer == num_layers:
            lines += [w.heading(3, strings["output_layer"].format(layer=layer)), ""]
            if activation == "sigmoid" and example.loss == "bce":
                product = f"{w.name('dL/dy_hat')}{w.times()}{w.derivative('sigmoid', w.name('y_hat'))}"
                difference = f"{w.name('y_hat')} - y"
                lines += [strings["simplifies"].format(product=w.inline(product), difference=w.inline(difference)), ""]
                lines.append(
                    w.line(
                        f"{delta}",
                        w.name(f"dL/dz({layer})"),
                        f"{w.name('y_hat')} - y",
                        f"{w.number(values['y_hat'])} - {w.given(example.y)}",
                        w.number(values[f"delta({layer})"]),
                    )
                )
            else:
                if example.loss == "bce":
                    gradient = (
                        r"-\frac{y}{\hat{y}} + \frac{1 - y}{1 - \hat{y}}"
                        if w.latex
                        else "-y / y_hat + (1 - y) / (1 - y_hat)"
                    )
                else:
                    gradient = r"\frac{2}{n} (\hat{y} - y)" if w.latex else "2 (y_hat - y) / n"
                lines.append(w.line(w.name("dL/dy_hat"), gradient, w.number(values["dL/dy_hat"])))
                lines.append(
                    w.line(
                        delta,
                        f"{w.name('dL/dy_hat')}{w.times()}{w.derivative(activation, w.name(a_name))}",
                        f"{w.number(values['dL/dy_hat'])}{w.times()}"
                        f"{w.number(_derivative_value(activation, values[a_name]))}",
                        w.number(values[f"delta({layer})"]),
                    )
                )
        else:
            lines += ["", w.heading(3, strings["layer"].format(layer=layer)), ""]
            upstream = f"dL/da({layer})"
            lines.append(
                w.line(
                    delta,
                    f"{w.name(upstream)}{w.times()}{w.derivative(activation, w.name(a_name))}",
                    f"{w.number(values[upstream])}{w.times()}{w.number(_derivative_value(activation, values[a_name]))}",
                    w.number(values[f"delta({layer})"]),
                )
            )

        a_prev = out_name(layer - 1)
        lines.append(
            w.line(
                w.name(f"dL/dW({layer})"),
                f"{delta} {w.transpose(w.name(a_prev))}",
                f"{w.number(values[f'delta({layer})'])} {w.transpose(w.number(value(a_prev)), is_number=True)}",
                w.number(values[f"dL/dW({layer})"]),
            )
        )
        lines.append(w.line(w.name(f"dL/db({layer})"), delta, w.number(values[f"dL/db({layer})"])))
        if layer > 1:
            lines.append(
                w.line(
                    w.name(f"dL/da({layer - 1})"),
                    f"{w.transpose(w.name(f'W({layer})'))} {delta}",
                    w.number(values[f"dL/da({layer - 1})"]),
                )
            )
    return "\n".join(lines) + "\n"
