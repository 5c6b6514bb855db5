"""tinygrad_edu: a small autograd engine on numpy for learning backpropagation.

A `Tensor` records the ops applied to it; `loss.backward()` computes every gradient
by reverse-mode automatic differentiation. Networks are built from `nn.Linear` and
activation modules and trained with `optim.SGD` or `optim.Adam`.
"""

from tinygrad_edu.tensor import Tensor, no_grad, is_grad_enabled  # noqa: I001  (tensor before ops)
from tinygrad_edu.ops import concatenate, stack, where
from tinygrad_edu.anomaly import detect_anomaly
from tinygrad_edu.gradcheck import GradcheckError, gradcheck

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "no_grad",
    "is_grad_enabled",
    "concatenate",
    "stack",
    "where",
    "detect_anomaly",
    "gradcheck",
    "GradcheckError",
    "nn",
    "optim",
    "__version__",
]


def __getattr__(name: str):
    # nn and optim import lazily, so `import tinygrad_edu` stays cheap and a partial
    # install without them still gives a clear error at the point of use.
    if name in ("nn", "optim", "data", "train", "viz", "reference", "worked_example"):
        import importlib

        module = importlib.import_module(f"tinygrad_edu.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'tinygrad_edu' has no attribute {name!r}")
