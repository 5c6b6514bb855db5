"""Facts about the machine and the libraries that decide the benchmark's numbers."""

from __future__ import annotations

import importlib
import os
import platform
import sys

import numpy as np

# Environment variables that set BLAS and OpenMP threads or pick OpenBLAS kernels.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
)


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, or platform.processor() elsewhere."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_description() -> str:
    """Describe the BLAS numpy calls: library, version, kernel and threads.

    threadpoolctl reports the kernel that OpenBLAS picked at run time (e.g. SkylakeX);
    without it, the build-time configuration from numpy.show_config is the best there is.
    """
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        pools = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
        if pools:
            return "; ".join(
                f"{pool.get('internal_api')} {pool.get('version')}, kernel {pool.get('architecture')}, "
                f"{pool.get('num_threads')} threads"
                for pool in pools
            )
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')} (build configuration; install threadpoolctl for the kernel)"
    except (TypeError, KeyError):
        return "unknown (install threadpoolctl to see it)"


def _version(module_name: str) -> str | None:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, "__version__", "unknown")


def describe() -> list[tuple[str, str]]:
    """Return (name, value) rows: CPU, cores, Python, numpy, BLAS, threads, torch, MyGrad."""
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    rows = [
        ("CPU", cpu_model()),
        ("cores", f"{os.cpu_count()} logical, {affinity} usable by this process"),
        ("OS", platform.platform()),
        ("Python", sys.version.split()[0]),
        ("numpy", np.__version__),
        ("BLAS", blas_description()),
    ]
    settings = [f"{name}={os.environ[name]}" for name in THREAD_VARIABLES if name in os.environ]
    rows.append(("thread and kernel variables", ", ".join(settings) if settings else "none set"))

    torch_version = _version("torch")
    if torch_version is None:
        rows.append(("torch", "not installed"))
    else:
        import torch

        rows.append(("torch", f"{torch_version}, {torch.get_num_threads()} intra-op threads"))
    rows.append(("MyGrad", _version("mygrad") or "not installed"))
    return rows
