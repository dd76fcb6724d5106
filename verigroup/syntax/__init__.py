"""Spec text -> AST (lark LALR parser, layout rule, friendly syntax errors)."""

from verigroup.syntax.parser import parse_spec

__all__ = ["parse_spec"]
