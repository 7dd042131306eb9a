"""Paths for the notebook tests; importing it puts notebooks/ on sys.path (for unittest runs too)."""

import os
import sys

NOTEBOOKS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(NOTEBOOKS)
FIXTURES = os.path.join(REPO, "tests", "fixtures", "upstream")
if NOTEBOOKS not in sys.path:
    sys.path.insert(0, NOTEBOOKS)
