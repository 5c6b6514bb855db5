"""Pictures of what the engine did: computation graphs (graphviz) and training plots (matplotlib).

Both libraries are optional (`pip install 'tinygrad-edu[viz]'`). They are imported when a
function here is first called. A missing one raises ImportError with the install command.
"""

from tinygrad_edu.viz.graph import GRAPH_FORMATS, INSTALL_GRAPHVIZ, GraphvizNotFoundError, draw_graph, save_graph
from tinygrad_edu.viz.plots import (
    PLOT_FORMATS,
    plot_decision_boundary,
    plot_loss,
    save_figure,
    save_training_plots,
)

__all__ = [
    "GRAPH_FORMATS",
    "INSTALL_GRAPHVIZ",
    "PLOT_FORMATS",
    "GraphvizNotFoundError",
    "draw_graph",
    "plot_decision_boundary",
    "plot_loss",
    "save_figure",
    "save_graph",
    "save_training_plots",
]
