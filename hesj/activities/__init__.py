"""Interactive activities. Each module has a pure model (no ipywidgets, no
matplotlib: testable without a front end) and a thin ``view`` that wires
ipywidgets controls to it, plus a static HTML version for the book."""
