"""Backends: translations of the Model (or its materialised game) into
other engines: Gambit (:mod:`verigroup.backends.gambit`), OpenSpiel
(:mod:`verigroup.backends.openspiel`), Z3 and others.

Nothing is imported here: ``pygambit``, ``pyspiel`` and ``z3`` load only when
a command needs them (fast start).
"""
