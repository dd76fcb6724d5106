"""The command-line interface: a thin layer over :mod:`verigroup.api`."""
