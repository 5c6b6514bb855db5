r"""Differentiable operations, each with its forward and its backward side by side.

Every op subclasses `Op`. Its `forward` computes the result from numpy arrays and
saves what backward reads. Its `backward(grad)` receives dL/d(output) and returns
dL/d(input) for each input in input order, reduced to the input's shape.

The ops are grouped by kind, one module each:

- arithmetic: + - * / ** @, negation, dtype casts
- elementwise: exp, log, sqrt, square, abs, clip
- activations: sigmoid, tanh, ReLU, leaky ReLU, softplus, log-sigmoid, GELU
- reductions: sum, mean, max, min, softmax, log-softmax
- shape: reshape, transpose, expand, indexing, concatenate, stack, where
- linear: the fused affine map of a linear layer
- losses: binary cross-entropy (on probabilities and on logits), cross-entropy

The functions `linear`, `concatenate`, `stack`, `where` and the losses are the
public entry points for ops that are not Tensor methods.
"""

from tinygrad_edu.ops.arithmetic import (  # noqa: F401
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Neg,
    Cast,
    MatMul,
)
from tinygrad_edu.ops.elementwise import (  # noqa: F401
    Exp,
    Log,
    Sqrt,
    Square,
    Abs,
    Clip,
)
from tinygrad_edu.ops.activations import (  # noqa: F401
    Sigmoid,
    Tanh,
    ReLU,
    LeakyReLU,
    Softplus,
    LogSigmoid,
    GELU,
)
from tinygrad_edu.ops.reductions import (  # noqa: F401
    Sum,
    Mean,
    Max,
    Min,
    Softmax,
    LogSoftmax,
)
from tinygrad_edu.ops.shape import (  # noqa: F401
    Reshape,
    Transpose,
    Expand,
    Index,
    Concatenate,
    Stack,
    Where,
    concatenate,
    stack,
    where,
)
from tinygrad_edu.ops.linear import (  # noqa: F401
    Linear,
    linear,
)
from tinygrad_edu.ops.losses import (  # noqa: F401
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    CrossEntropy,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
)

__all__ = [
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Pow",
    "Neg",
    "Cast",
    "MatMul",
    "Exp",
    "Log",
    "Sqrt",
    "Square",
    "Abs",
    "Clip",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "LeakyReLU",
    "Softplus",
    "LogSigmoid",
    "GELU",
    "Sum",
    "Mean",
    "Max",
    "Min",
    "Softmax",
    "LogSoftmax",
    "Reshape",
    "Transpose",
    "Expand",
    "Index",
    "Concatenate",
    "Stack",
    "Where",
    "concatenate",
    "stack",
    "where",
    "Linear",
    "linear",
    "BinaryCrossEntropy",
    "BinaryCrossEntropyWithLogits",
    "CrossEntropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
]
