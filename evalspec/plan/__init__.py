"""Spec → frozen run matrix with digests (pure: no torch)."""

from evalspec.plan.matrix import Cell, Evaluation, Plan, StagePlan, build_plan

__all__ = ["Cell", "Evaluation", "Plan", "StagePlan", "build_plan"]
