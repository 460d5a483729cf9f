"""Disclosure control: the one module every figure about people passes through (docs/privacy.md)."""
