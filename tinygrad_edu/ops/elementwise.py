r"""Element-wise functions: exp, log, sqrt, square, abs and clip."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.tensor import Op


class Exp(Op):
    r"""$e^a$; derivative $e^a$."""

    __slots__ = ("out",)

    def forward(self, a):
        self.out = np.exp(a)
        return self.out

    def backward(self, grad):
        return (grad * self.out,)


class Log(Op):
    r"""$\ln a$; derivative $1/a$."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.log(a)

    def backward(self, grad):
        # At a = 0 the derivative is inf, as in PyTorch; detect_anomaly reports it.
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad / self.a,)


class Sqrt(Op):
    r"""$\sqrt{a}$; derivative $1/(2\sqrt{a})$ (infinite at 0, as in PyTorch)."""

    __slots__ = ("out",)

    def forward(self, a):
        self.out = np.sqrt(a)
        return self.out

    def backward(self, grad):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad / (2 * self.out),)


class Square(Op):
    r"""$a^2$; derivative $2a$."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return a * a

    def backward(self, grad):
        return (grad * 2 * self.a,)


class Abs(Op):
    r"""$|a|$; derivative $\mathrm{sign}(a)$, taken as 0 at a = 0 as in PyTorch."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.abs(a)

    def backward(self, grad):
        return (grad * np.sign(self.a),)


class Clip(Op):
    r"""$\min(\max(a, lo), hi)$; derivative 1 where $lo \le a \le hi$, else 0 (PyTorch's clamp)."""

    __slots__ = ("inside",)

    def forward(self, a, lo, hi):
        if lo is None and hi is None:
            raise ValueError("clip: lo and hi are both None; pass at least one bound")
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"clip: lo={lo} is greater than hi={hi}; pass lo <= hi")
        inside = np.ones(a.shape, dtype=bool)
        if lo is not None:
            inside &= a >= lo
        if hi is not None:
            inside &= a <= hi
        self.inside = inside
        out = np.clip(a, lo, hi)
        # A numpy float64 bound would promote a float32 input; the result keeps a's dtype.
        return out.astype(a.dtype, copy=False) if a.dtype.kind == "f" else out

    def backward(self, grad):
        return (grad * self.inside,)
