"""Spec → frozen run matrix with digests (pure: no torch)."""

from evalspec.plan.matrix import Cell, Plan, StagePlan, build_plan

__all__ = ["Cell", "Plan", "StagePlan", "build_plan"]
