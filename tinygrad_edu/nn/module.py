"""Module and Parameter: the containers every layer and network is built from."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterator, NamedTuple

import numpy as np

from tinygrad_edu.tensor import Tensor


class Parameter(Tensor):
    """Wrap an array as a trainable tensor that a `Module` registers.

    A parameter is a leaf `Tensor` with ``requires_grad=True``. Assigning one to an
    attribute of a `Module` adds it to ``module.parameters()``.

    Args:
        data: a float array, a Tensor (its data is used, not its graph) or nested lists.
            Python numbers and lists become float64.
        name: optional label, shown in graph drawings.

    Raises:
        TypeError: if the data has an integer, bool or complex dtype, because gradients
            need floating-point numbers.

    Example:
        >>> w = Parameter(np.zeros((3, 2)))
        >>> w.requires_grad, w.shape
        (True, (3, 2))
    """

    def __init__(self, data: Any, name: str | None = None) -> None:
        if isinstance(data, Tensor):
            data = data.data
        array = np.asarray(data)

        # Python numbers and lists arrive as int64 or float64; only explicit
        # non-float arrays are rejected, because their gradient is meaningless.
        if not isinstance(data, np.ndarray) and array.dtype.kind in "iub":
            array = array.astype(np.float64)
        if array.dtype.kind != "f":
            raise TypeError(
                f"Parameter needs floating-point data, got dtype {array.dtype}; "
                f"convert it first, e.g. data.astype(np.float64)"
            )
        super().__init__(array, requires_grad=True, name=name)

    def __repr__(self) -> str:
        return f"Parameter(shape={self.shape}, dtype={self.dtype})"


class IncompatibleKeys(NamedTuple):
    """Keys that `Module.load_state_dict(strict=False)` skipped."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of every layer and network.

    A subclass sets its parameters and submodules as attributes in ``__init__`` (after
    calling ``super().__init__()``) and defines ``forward``. Calling the module runs
    ``forward``. Parameters are found by name, recursively, so
    ``named_parameters()`` yields dotted names such as ``"layers.0.weight"``.

    Attributes:
        training: True in training mode (the default), False after ``eval()``. Layers
            such as `Dropout` and `BatchNorm1d` behave differently in the two modes.

    Example:
        >>> class TwoLayer(Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = Linear(2, 4)
        ...         self.out = Linear(4, 1)
        ...     def forward(self, x):
        ...         return self.out(self.hidden(x).relu()).sigmoid()
        >>> [name for name, _ in TwoLayer().named_parameters()]
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    """

    training: bool

    def __init__(self) -> None:
        # The registries keep the order of assignment; the objects also live in
        # __dict__, so reading self.weight in forward is a plain attribute lookup.
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ---- registration -------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        registries = self.__dict__.get("_parameters")
        if registries is None and isinstance(value, (Parameter, Module)):
            raise AttributeError(
                f"cannot assign {type(value).__name__} '{name}' before "
                f"Module.__init__() ran; call super().__init__() first in "
                f"{type(self).__name__}.__init__"
            )
        if registries is not None:
            self._parameters.pop(name, None)
            self._modules.pop(name, None)
            if isinstance(value, Parameter):
                self._parameters[name] = value
            elif isinstance(value, Module):
                self._modules[name] = value
            elif name in self._buffers:
                if value is not None and not isinstance(value, np.ndarray):
                    raise TypeError(
                        f"buffer '{name}' must be a numpy array or None, "
                        f"got {type(value).__name__}"
                    )
                self._buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self._buffers.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, array: np.ndarray | None) -> None:
        """Register a numpy array that belongs to the state but is not trained.

        Buffers, such as the running mean of `BatchNorm1d`, appear in ``state_dict()``
        and are restored by ``load_state_dict()``, but not in ``parameters()``.
        """
        if array is not None and not isinstance(array, np.ndarray):
            raise TypeError(
                f"buffer '{name}' must be a numpy array or None, got {type(array).__name__}"
            )
        self._buffers[name] = array
        object.__setattr__(self, name, array)

    def add_module(self, name: str, module: Module) -> None:
        """Register ``module`` as a submodule under ``name`` (which may be a digit)."""
        if not isinstance(module, Module):
            raise TypeError(f"add_module('{name}', ...) needs a Module, got {type(module).__name__}")
        setattr(self, name, module)

    # ---- calling ----------------------------------------------------------------------

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output; every subclass defines this."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ---- traversal ----------------------------------------------------------------

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield (name, submodule) for the direct submodules, in assignment order."""
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """Yield the direct submodules."""
        yield from self._modules.values()

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """Yield (dotted name, module) for this module and all modules inside it.

        The module itself comes first with the name ``prefix`` (empty by default).
        A module reachable along two paths is yielded once.
        """
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]

        # Depth-first in assignment order, without recursion.
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [
                (f"{name}.{child_name}" if name else child_name, child)
                for child_name, child in module._modules.items()
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """Yield this module and all modules inside it."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Yield (dotted name, parameter) for every parameter, each once.

        As in PyTorch, a module's own parameters come before those of its submodules,
        and submodules follow in assignment order, depth first.

        Example: an `MLP` yields ``"layers.0.weight"``, ``"layers.0.bias"``, ...
        """
        seen: set[int] = set()
        for module_name, module in self.named_modules(prefix):
            for name, parameter in module._parameters.items():
                if parameter is None or id(parameter) in seen:
                    continue
                seen.add(id(parameter))
                yield (f"{module_name}.{name}" if module_name else name), parameter

    def parameters(self) -> Iterator[Parameter]:
        """Yield every parameter of this module and its submodules, each once."""
        for _, parameter in self.named_parameters():
            yield parameter

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """Yield (dotted name, array) for every registered buffer that is not None."""
        for module_name, module in self.named_modules(prefix):
            for name, array in module._buffers.items():
                if array is not None:
                    yield (f"{module_name}.{name}" if module_name else name), array

    # ---- modes and gradients ----------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and all inside it; return self."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Set evaluation mode (``train(False)``); return self."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of all parameters.

        Args:
            set_to_none: as PyTorch's default, set ``.grad`` to None (cheaper, and
                optimizers skip such parameters); False fills existing gradients with 0.
        """
        for parameter in self.parameters():
            if set_to_none:
                parameter.grad = None
            elif parameter.grad is not None:
                parameter.grad.fill(0.0)

    # ---- state ----------------------------------------------------------------------

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Return every parameter and buffer as a copy, keyed by dotted name.

        The arrays are copies, so training on afterwards does not change them.
        """
        state: OrderedDict[str, np.ndarray] = OrderedDict()
        for name, parameter in self.named_parameters():
            state[name] = parameter.data.copy()
        for name, array in self.named_buffers():
            state[name] = array.copy()
        return state

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy arrays from ``state_dict`` into the parameters and buffers, in place.

        Every key and shape is checked before anything is copied, so a failed load
        leaves the module unchanged. Values are cast to each parameter's dtype.

        Args:
            state_dict: dotted name -> array (numpy array, Tensor or nested lists), as
                ``state_dict()`` returns.
            strict: if True, a missing or unexpected key raises; if False, such keys are
                skipped and returned. A shape mismatch raises in both cases.

        Returns:
            IncompatibleKeys(missing_keys, unexpected_keys).

        Raises:
            ValueError: naming every missing key, unexpected key and shape mismatch.
        """
        targets: dict[str, np.ndarray] = {name: p.data for name, p in self.named_parameters()}
        targets.update(self.named_buffers())

        missing = [name for name in targets if name not in state_dict]
        unexpected = [name for name in state_dict if name not in targets]
        sources: dict[str, np.ndarray] = {}
        mismatched = []
        for name, value in state_dict.items():
            if name not in targets:
                continue
            array = np.asarray(value.data if isinstance(value, Tensor) else value)
            if array.shape != targets[name].shape:
                mismatched.append(
                    f"'{name}': expected shape {targets[name].shape}, got {array.shape}"
                )
            sources[name] = array

        problems = []
        if strict and missing:
            problems.append(f"missing keys {missing}")
        if strict and unexpected:
            problems.append(f"unexpected keys {unexpected}")
        if mismatched:
            problems.append("shape mismatch for " + ", ".join(mismatched))
        if problems:
            raise ValueError(
                f"cannot load state_dict into {type(self).__name__}: "
                + "; ".join(problems)
                + ". Build the model with the same layer sizes as the saved one"
            )

        for name, array in sources.items():
            np.copyto(targets[name], array, casting="unsafe")
        return IncompatibleKeys(missing, unexpected)

    # ---- printing -------------------------------------------------------------------

    def extra_repr(self) -> str:
        """Return the text shown inside this module's parentheses in ``repr``."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        if extra:
            lines.insert(0, "  " + extra.replace("\n", "\n  "))
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"
