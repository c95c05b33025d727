"""Models of the reviews app, one module per concern."""

from .project import Phase, Project, Scope, VoteRule

__all__ = ["Phase", "Project", "Scope", "VoteRule"]
