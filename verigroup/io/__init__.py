"""Import and export of game files (Gambit ``.nfg``; ``.efg`` elsewhere).

Nothing heavy is imported here: each format is its own module
(:mod:`verigroup.io.nfg`), loaded when a command needs it.
"""
