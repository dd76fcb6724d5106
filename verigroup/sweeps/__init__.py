"""Sweeps: verdict maps over parameter grids, run through the executors of
:mod:`verigroup.runtime.executors` (serial, local processes, Dask), cached by
content on disk.  ``verigroup sweep`` is a thin CLI over :func:`sweep`."""

from verigroup.sweeps.grid import Axis, Grid, build_grid, read_grid_file
from verigroup.sweeps.run import Boundary, PointResult, SweepResult, sweep

__all__ = ["Axis", "Grid", "build_grid", "read_grid_file", "Boundary", "PointResult", "SweepResult", "sweep"]
