"""Linear layers, Sequential containers and the course's MLP."""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any, Iterator, Sequence

import numpy as np

from tinygrad_edu import ops
from tinygrad_edu.nn import init as nn_init
from tinygrad_edu.nn.activation import Identity, LeakyReLU, ReLU, Sigmoid, Tanh
from tinygrad_edu.nn.module import Module, Parameter
from tinygrad_edu.tensor import Tensor


def _float_dtype(dtype: Any, owner: str) -> np.dtype:
    resolved = np.dtype(np.float64 if dtype is None else dtype)
    if resolved.kind != "f":
        raise TypeError(f"{owner}: dtype must be a floating-point type, got {resolved}")
    return resolved


class Linear(Module):
    r"""Apply the affine map :math:`z = W x + b` of one fully connected layer.

    A batch is a matrix whose rows are samples, so the layer computes
    :math:`Z = X W^T + b`, one fused graph node (``ops.linear``).

    Args:
        in_features: size of each input sample, n_in.
        out_features: size of each output sample, n_out.
        bias: whether to add the learnable bias b.
        dtype: parameter dtype, float64 by default; np.float32 for single precision.
        rng: numpy Generator or int seed for the initial values; None draws a fresh seed.

    Attributes:
        weight: W of shape (out_features, in_features), as the course's W(l) and PyTorch.
            Initialised from U(-k, k) with k = 1/sqrt(in_features), as PyTorch's Linear.
        bias: b of shape (out_features,), from the same U(-k, k), or None.

    Shape:
        input (in_features,) or (N, in_features); output (out_features,) or (N, out_features).

    Example:
        >>> layer = Linear(2, 3, rng=0)
        >>> layer(np.ones((5, 2))).shape
        (5, 3)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype: Any = None,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        super().__init__()
        for label, value in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Linear: {label} must be a positive int, got {value!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dtype = _float_dtype(dtype, "Linear")

        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        self.bias = Parameter(np.empty(self.out_features, dtype=dtype)) if bias else None
        self.reset_parameters(rng)

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw weight and bias from U(-1/sqrt(in_features), 1/sqrt(in_features))."""
        generator = nn_init.as_generator(rng)
        bound = 1.0 / math.sqrt(self.in_features)
        nn_init.uniform_(self.weight, -bound, bound, generator)
        if self.bias is not None:
            nn_init.uniform_(self.bias, -bound, bound, generator)

    def forward(self, x: Any) -> Tensor:
        if not isinstance(x, Tensor):
            # Plain arrays take the layer's dtype, so a float32 model stays float32.
            x = Tensor(x, dtype=self.weight.data.dtype)
        shape = x.data.shape
        if len(shape) not in (1, 2) or shape[-1] != self.in_features:
            raise ValueError(
                f"Linear(in_features={self.in_features}, out_features={self.out_features}): "
                f"input shape {shape} does not fit weight shape {self.weight.shape}; expected "
                f"({self.in_features},) or (N, {self.in_features})"
                + ("; reshape the batch to two dimensions" if len(shape) > 2 else "")
            )
        return ops.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Sequential(Module):
    """Chain modules: the output of each is the input of the next.

    Submodules are named "0", "1", ... (or by the keys of an OrderedDict), so their
    parameters are called "0.weight", "0.bias", ...

    Example:
        >>> net = Sequential(Linear(2, 4, rng=0), ReLU(), Linear(4, 1, rng=1))
        >>> len(net), type(net[1]).__name__, net(np.zeros((3, 2))).shape
        (3, 'ReLU', (3, 1))
    """

    def __init__(self, *modules: Module | OrderedDict) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(str(name), module)
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), module)

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end; return self."""
        self.add_module(str(len(self)), module)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Any:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        try:
            return modules[index]
        except IndexError:
            raise IndexError(
                f"Sequential index {index} is out of range for {len(modules)} modules"
            ) from None

    def forward(self, x: Any) -> Any:
        for module in self._modules.values():
            x = module(x)
        return x


_ACTIVATIONS = {
    "sigmoid": Sigmoid,
    "relu": ReLU,
    "tanh": Tanh,
    "leaky_relu": LeakyReLU,
    "identity": Identity,
}

_INITS = {
    "lecun": nn_init.lecun_normal_,
    "glorot": nn_init.xavier_normal_,
    "xavier": nn_init.xavier_normal_,
    "he": lambda w, generator: nn_init.kaiming_normal_(w, nonlinearity="relu", generator=generator),
    "kaiming": lambda w, generator: nn_init.kaiming_normal_(w, nonlinearity="relu", generator=generator),
    "pytorch": None,
}


class MLP(Module):
    r"""Build the course's multi-layer perceptron: Linear layers with an activation between.

    For ``layer_sizes = [n_0, n_1, ..., n_L]`` the network computes, for l = 1..L,
    :math:`z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}` with :math:`a^{(0)} = x`, the activation
    on every hidden layer and a sigmoid on the output, :math:`\hat{y} = \sigma(z^{(L)})`.

    The default initialisation follows the course: He normal, N(0, 2/n_in), for ReLU and
    leaky ReLU; N(0, 1/n_in) otherwise. The course calls the latter "Xavier", but that
    variance is LeCun's; Glorot's (Xavier's) is 2/(n_in + n_out), available as
    ``init="glorot"``. Biases start at zero. Weights are drawn layer by layer from one
    Generator, so a seed fixes the whole network.

    Args:
        layer_sizes: [n_in, hidden..., n_out], at least two positive ints.
        activation: hidden activation: "sigmoid", "relu", "tanh", "leaky_relu" or "identity".
        init: None (the course's rule above), "lecun", "glorot" (alias "xavier"),
            "he" (alias "kaiming"), or "pytorch" (PyTorch's Linear default U(-k, k)).
        output: "sigmoid" for probabilities (use `BCELoss`), or "logits" for the raw
            z(L) (use `BCEWithLogitsLoss`, which is more accurate).
        dtype: parameter dtype, float64 by default.
        seed: int seed or numpy Generator for the initial weights; None draws a fresh seed.
        rng: a numpy Generator, as an alternative to ``seed`` (give at most one).

    Attributes:
        layers: the `Sequential` of Linear and activation modules, so parameters are
            named "layers.0.weight", "layers.0.bias", "layers.2.weight", ...

    Example:
        >>> net = MLP([2, 4, 1], activation="sigmoid", seed=0)
        >>> net(np.array([[0.0, 1.0]])).shape
        (1, 1)
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str = "sigmoid",
        init: str | None = None,
        output: str = "sigmoid",
        dtype: Any = None,
        seed: np.random.Generator | int | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        sizes = list(layer_sizes)
        if len(sizes) < 2 or any(
            isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in sizes
        ):
            raise ValueError(
                f"MLP: layer_sizes must be at least two positive ints [n_in, ..., n_out], "
                f"got {layer_sizes!r}"
            )
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"MLP: unknown activation {activation!r}; use one of {sorted(_ACTIVATIONS)}"
            )
        if init is None:
            init = "he" if activation in ("relu", "leaky_relu") else "lecun"
        if init not in _INITS:
            raise ValueError(f"MLP: unknown init {init!r}; use one of {sorted(_INITS)}")
        if output not in ("sigmoid", "logits"):
            raise ValueError(f"MLP: output must be 'sigmoid' or 'logits', got {output!r}")
        if seed is not None and rng is not None:
            raise ValueError("MLP: pass either seed or rng, not both")
        generator = nn_init.as_generator(rng if rng is not None else seed)

        self.layer_sizes = [int(n) for n in sizes]
        self.activation = activation
        self.init = init
        self.output = output
        self.dtype = _float_dtype(dtype, "MLP")

        modules: list[Module] = []
        last = len(sizes) - 2
        for index, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layer = Linear(n_in, n_out, dtype=self.dtype, rng=generator if init == "pytorch" else 0)
            if init != "pytorch":
                _INITS[init](layer.weight, generator=generator)
                nn_init.zeros_(layer.bias)
            modules.append(layer)
            if index < last:
                modules.append(_ACTIVATIONS[activation]())
        if output == "sigmoid":
            modules.append(Sigmoid())
        self.layers = Sequential(*modules)

    @property
    def linear_layers(self) -> list[Linear]:
        """The Linear layers in order: W(1), b(1) are ``linear_layers[0]``'s weight and bias."""
        return [module for module in self.layers if isinstance(module, Linear)]

    def forward(self, x: Any) -> Tensor:
        return self.layers(x)

    def extra_repr(self) -> str:
        return (
            f"layer_sizes={self.layer_sizes}, activation={self.activation!r}, "
            f"init={self.init!r}, output={self.output!r}"
        )
